/* ra-database.c — one store connection on one dedicated worker thread
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine: the worker thread, its queue (foreground before background),
 * long writing jobs on their own threads and connections, and the GTask
 * plumbing. The calls (one model function each) are in
 * ra-database-calls.c, ra-database-import.c and ra-database-session.c.
 */

#define G_LOG_DOMAIN "ra-database"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ra-database-private.h"
#include "ra-store-private.h"
#include "ra-thread-priority.h"

/* Background work yields to other work for at most this long. */
#define MAX_YIELD_USEC (60 * G_USEC_PER_SEC)

typedef enum
{
  WORK_RUN,
  WORK_OPEN,
  WORK_CLOSE,
} WorkKind;

/* What the worker needs for one piece of work. It is the GTask's task data
 * (or lives on the caller's stack for the _sync variants). */
typedef struct
{
  WorkKind            kind;
  RaDatabaseWorkFunc  func;
  gpointer            data;
  GDestroyNotify      data_free;
  GDestroyNotify      result_free;
  char               *path;       /* WORK_OPEN */

  /* Background work (counting over every turn) yields to the rest: it
   * is queued behind it, and interrupted and queued again when other work
   * arrives while it runs. Read-only work only. */
  gboolean            background;
  guint64             seq;        /* FIFO order within each class */
  guint               n_interruptions;
  gint64              first_run_at;   /* monotonic, 0 before */
  guint               generation; /* the store it was asked of: the
                                   * number of opens and closes before it */

  /* A job (ra_database_run_job_async) runs on its own thread with its own
   * connection to the store the worker has open when the job starts (PATH);
   * STORE_GENERATION is that store's. Its cancellable is cancelled by the
   * caller's (CANCEL_ID) and by a store switch or close. */
  gboolean            job;
  guint               store_generation;
  GCancellable       *job_cancellable;
  gulong              cancel_id;

  /* Set by the worker, returned on the task's context. */
  gpointer            result;
  GError             *error;
} Work;

struct _RaDatabase
{
  GObject      parent_instance;

  GThread     *worker_thread;
  GAsyncQueue *queue;

  /* Only the worker thread touches the store. */
  RaStore     *store;

  /* Written by the worker, read by anyone: guarded by mutex. */
  GMutex       mutex;
  char        *path;
  gboolean     is_open;
  guint64      next_seq;
  guint        push_generation; /* opens and closes asked for */
  guint        generation;      /* that of the last one done */

  /* Foreground tasks in the queue; set when one interrupted background
   * work (both atomic). */
  gint         n_foreground_waiting;
  gint         interrupted;

  /* The jobs running (Work *), guarded by mutex. */
  GPtrArray   *jobs;
};

G_DEFINE_FINAL_TYPE (RaDatabase, ra_database, G_TYPE_OBJECT)

G_DEFINE_QUARK (ra-database-error-quark, ra_database_error)

/* Pushed once, when the database is finalized: the worker exits. */
static Work quit_marker;

static void
work_free (Work *work)
{
  if (work->result != NULL && work->result_free != NULL)
    work->result_free (work->result);
  g_clear_error (&work->error);
  if (work->data_free != NULL && work->data != NULL)
    work->data_free (work->data);
  g_free (work->path);
  g_clear_object (&work->job_cancellable);
  g_free (work);
}

/* A new piece of work of KIND: for WORK_RUN, FUNC with DATA (freed with
 * DATA_FREE) and its result (freed with RESULT_FREE if nobody takes it). */
static Work *
work_new (WorkKind            kind,
          RaDatabaseWorkFunc  func,
          gpointer            data,
          GDestroyNotify      data_free,
          GDestroyNotify      result_free)
{
  Work *work = g_new0 (Work, 1);

  work->kind = kind;
  work->func = func;
  work->data = data;
  work->data_free = data_free;
  work->result_free = result_free;
  return work;
}

static Work *
open_work_new (const char *path)
{
  Work *work = work_new (WORK_OPEN, NULL, NULL, NULL, NULL);

  work->path = g_strdup (path);
  return work;
}

/* The store the jobs write to was closed or replaced: they stop (each at
 * its next check of the cancellable, as when the caller cancels), and
 * complete_task_cb () keeps their results from the new store's pages. */
static void
cancel_jobs (RaDatabase *self)
{
  g_autoptr(GPtrArray) cancellables = g_ptr_array_new_with_free_func (g_object_unref);

  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->jobs->len; i++)
    {
      Work *job = g_ptr_array_index (self->jobs, i);

      g_ptr_array_add (cancellables, g_object_ref (job->job_cancellable));
    }
  g_mutex_unlock (&self->mutex);

  for (guint i = 0; i < cancellables->len; i++)
    g_cancellable_cancel (g_ptr_array_index (cancellables, i));
}

static gpointer
do_work (RaDatabase   *self,
         Work         *work,
         GCancellable *cancellable,
         GError      **error)
{
  g_assert (g_thread_self () == self->worker_thread);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  switch (work->kind)
    {
    case WORK_OPEN:
      {
        RaStore *store;

        if (!(store = ra_store_open (work->path, error)))
          return NULL;
        /* A label the session shows as saved is in the database file, not
         * in the -wal file alone (ra-store.c). */
        ra_store_set_durable_commits (store, TRUE);

        g_clear_pointer (&self->store, ra_store_close);
        self->store = store;

        g_mutex_lock (&self->mutex);
        g_free (self->path);
        self->path = g_strdup (work->path);
        self->is_open = TRUE;
        self->generation = work->generation;
        g_mutex_unlock (&self->mutex);
        cancel_jobs (self);
        return GINT_TO_POINTER (TRUE);
      }

    case WORK_CLOSE:
      g_clear_pointer (&self->store, ra_store_close);
      g_mutex_lock (&self->mutex);
      g_clear_pointer (&self->path, g_free);
      self->is_open = FALSE;
      self->generation = work->generation;
      g_mutex_unlock (&self->mutex);
      cancel_jobs (self);
      return GINT_TO_POINTER (TRUE);

    case WORK_RUN:
    default:
      if (self->store == NULL)
        {
          g_set_error (error, RA_DATABASE_ERROR, RA_DATABASE_ERROR_NOT_OPEN,
                       _("No store is open"));
          return NULL;
        }
      return work->func (self->store, work->data, cancellable, error);
    }
}

/* A job's result is for the store it ran on: when another store was
 * opened (or the store closed) meanwhile, the caller gets an error instead,
 * so that nothing of it is shown as the new store's. */
static void
job_settle (RaDatabase *self,
            Work       *work)
{
  gboolean switched;

  g_mutex_lock (&self->mutex);
  switched = self->generation != work->store_generation;
  g_mutex_unlock (&self->mutex);
  if (!switched)
    return;

  if (work->result != NULL && work->result_free != NULL)
    work->result_free (work->result);
  work->result = NULL;
  if (g_error_matches (work->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_error (&work->error);
      g_set_error (&work->error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                   _("%s was closed while the work ran on it: the work was stopped"), work->path);
    }
  else
    {
      g_clear_error (&work->error);
      g_set_error (&work->error, RA_DATABASE_ERROR, RA_DATABASE_ERROR_CLOSED,
                   _("%s was closed while the work ran on it: the work finished there"), work->path);
    }
}

/* Runs on the task's main context: returns the result there and drops the
 * queue's reference there. Dropping it on the worker could finalize the
 * database on its own worker thread, which would join itself. */
static gboolean
complete_task_cb (gpointer user_data)
{
  GTask *task = user_data;
  Work *work = g_task_get_task_data (task);

  if (work->job && work->job_cancellable != NULL)
    job_settle (g_task_get_source_object (task), work);

  if (work->result != NULL)
    g_task_return_pointer (task, g_steal_pointer (&work->result), work->result_free);
  else
    g_task_return_error (task, g_steal_pointer (&work->error));

  return G_SOURCE_REMOVE;
}

static void
complete_on_its_context (GTask *task)
{
  g_autoptr(GSource) source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, complete_task_cb, task, g_object_unref);
  g_source_set_static_name (source, "[ra-database] complete");
  g_source_attach (source, g_task_get_context (task));
}

static int
compare_tasks (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  const Work *x, *y;

  /* The quit marker goes last; it is only pushed when no task is left. */
  if (a == &quit_marker || b == &quit_marker)
    return (a == &quit_marker) - (b == &quit_marker);

  x = g_task_get_task_data ((GTask *) a);
  y = g_task_get_task_data ((GTask *) b);
  if (x->background != y->background)
    return x->background ? 1 : -1;
  return (x->seq > y->seq) - (x->seq < y->seq);
}

static void
queue_task (RaDatabase *self,
            GTask      *task)
{
  Work *work = g_task_get_task_data (task);

  if (!work->background)
    g_atomic_int_inc (&self->n_foreground_waiting);
  g_async_queue_push_sorted (self->queue, task, compare_tasks, NULL);
}

static int
background_progress_cb (void *user_data)
{
  RaDatabase *self = user_data;

  if (g_atomic_int_get (&self->n_foreground_waiting) > 0)
    {
      g_atomic_int_set (&self->interrupted, TRUE);
      return 1;
    }
  return 0;
}

/* Runs background WORK, interrupting its statements as soon as other work
 * waits. Returns TRUE when it was interrupted and queued again (the task
 * is not complete), FALSE when WORK holds its result or error. */
static gboolean
run_background (RaDatabase *self,
                GTask      *task,
                Work       *work)
{
  sqlite3 *db = self->store ? ra_store_get_db (self->store) : NULL;
  guint generation;

  g_mutex_lock (&self->mutex);
  generation = self->generation;
  g_mutex_unlock (&self->mutex);

  /* Asked of a store that has been closed or replaced since. */
  if (work->generation != generation)
    {
      g_set_error_literal (&work->error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           _("The store changed before the work could run"));
      return FALSE;
    }

  /* Yield for a minute at most, then finish: work arriving without a
   * pause for that long must not starve the batch counts for ever. */
  if (work->first_run_at == 0)
    work->first_run_at = g_get_monotonic_time ();
  g_atomic_int_set (&self->interrupted, FALSE);
  if (db != NULL && g_get_monotonic_time () - work->first_run_at < MAX_YIELD_USEC)
    sqlite3_progress_handler (db, 1000, background_progress_cb, self);
  work->result = do_work (self, work, g_task_get_cancellable (task), &work->error);
  if (db != NULL)
    sqlite3_progress_handler (db, 0, NULL, NULL);

  if (!g_atomic_int_get (&self->interrupted))
    return FALSE;

  /* Interrupted: drop what it got, let the waiting work run, try again. */
  if (work->result != NULL && work->result_free != NULL)
    work->result_free (work->result);
  work->result = NULL;
  g_clear_error (&work->error);
  work->n_interruptions++;
  g_debug ("background work interrupted (%u)", work->n_interruptions);
  queue_task (self, task);
  return TRUE;
}

static void
cancel_job_cb (GCancellable *cancellable,
               GCancellable *job_cancellable)
{
  g_cancellable_cancel (job_cancellable);
}

/* The job's thread: its own connection to the store, opened as the command
 * line opens it (never creating one), for the job's whole run. */
static gpointer
job_thread_func (gpointer user_data)
{
  GTask *task = user_data;
  RaDatabase *self = g_task_get_source_object (task);
  Work *work = g_task_get_task_data (task);
  g_autoptr(RaStore) store = NULL;

  /* In the background (and the threads it starts): the session's threads
   * get the processor first, so a key is shown before an import's next rows
   * are parsed. */
  ra_thread_set_background ();

  if (!g_cancellable_set_error_if_cancelled (work->job_cancellable, &work->error) &&
      (store = ra_store_open_full (work->path, RA_STORE_OPEN_DEFAULT, &work->error)))
    work->result = work->func (store, work->data, work->job_cancellable, &work->error);
  g_clear_pointer (&store, ra_store_close);

  if (work->cancel_id != 0)
    g_cancellable_disconnect (g_task_get_cancellable (task), work->cancel_id);
  work->cancel_id = 0;

  g_mutex_lock (&self->mutex);
  g_ptr_array_remove_fast (self->jobs, work);
  g_mutex_unlock (&self->mutex);

  if (work->result == NULL && work->error == NULL)
    g_set_error (&work->error, RA_DATABASE_ERROR, RA_DATABASE_ERROR_CLOSED,
                 _("The work returned no result"));
  complete_on_its_context (task);
  return NULL;
}

/* On the worker, in the job's turn in the queue (so it runs on the store
 * the calls before it saw): starts the job's thread. Returns TRUE when the
 * thread has the task, FALSE when WORK holds an error to return now. */
static gboolean
start_job (RaDatabase *self,
           GTask      *task,
           Work       *work)
{
  GCancellable *cancellable = g_task_get_cancellable (task);
  GThread *thread;
  gboolean superseded;

  if (g_cancellable_set_error_if_cancelled (cancellable, &work->error))
    return FALSE;
  /* Another store was asked for after this job: it would be cancelled as
   * soon as that store opens, and its result not shown. */
  g_mutex_lock (&self->mutex);
  superseded = self->push_generation != work->generation;
  g_mutex_unlock (&self->mutex);
  if (superseded)
    {
      g_set_error_literal (&work->error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           _("The store changed before the work could run"));
      return FALSE;
    }
  if (self->store == NULL)
    {
      g_set_error_literal (&work->error, RA_DATABASE_ERROR, RA_DATABASE_ERROR_NOT_OPEN,
                           _("No store is open"));
      return FALSE;
    }

  work->path = g_strdup (ra_store_get_path (self->store));
  work->job_cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    work->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (cancel_job_cb),
                                             g_object_ref (work->job_cancellable), g_object_unref);

  g_mutex_lock (&self->mutex);
  work->store_generation = self->generation;
  g_ptr_array_add (self->jobs, work);
  g_mutex_unlock (&self->mutex);

  if (!(thread = g_thread_try_new ("ra-database-job", job_thread_func, task, &work->error)))
    {
      g_mutex_lock (&self->mutex);
      g_ptr_array_remove_fast (self->jobs, work);
      g_mutex_unlock (&self->mutex);
      if (work->cancel_id != 0)
        g_cancellable_disconnect (cancellable, work->cancel_id);
      work->cancel_id = 0;
      return FALSE;
    }
  g_thread_unref (thread);
  return TRUE;
}

static gpointer
worker_thread_func (gpointer user_data)
{
  RaDatabase *self = user_data;

  for (;;)
    {
      gpointer item = g_async_queue_pop (self->queue);
      GTask *task;
      Work *work;

      if (item == &quit_marker)
        break;

      task = item;
      work = g_task_get_task_data (task);
      if (!work->background)
        g_atomic_int_add (&self->n_foreground_waiting, -1);

      if (work->job)
        {
          if (start_job (self, task, work))
            continue;
        }
      else if (work->background && work->kind == WORK_RUN)
        {
          if (run_background (self, task, work))
            continue;
        }
      else
        work->result = do_work (self, work, g_task_get_cancellable (task), &work->error);

      if (work->result == NULL && work->error == NULL)
        g_set_error (&work->error, RA_DATABASE_ERROR, RA_DATABASE_ERROR_CLOSED,
                     _("The work returned no result"));
      complete_on_its_context (task);
    }

  g_clear_pointer (&self->store, ra_store_close);

  return NULL;
}

static void
ra_database_finalize (GObject *object)
{
  RaDatabase *self = (RaDatabase *)object;

  /* Every GTask holds a reference on us, so the queue holds no task now. */
  g_async_queue_push (self->queue, &quit_marker);
  g_thread_join (self->worker_thread);

  g_clear_pointer (&self->queue, g_async_queue_unref);
  g_clear_pointer (&self->jobs, g_ptr_array_unref);
  g_clear_pointer (&self->path, g_free);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (ra_database_parent_class)->finalize (object);
}

static void
ra_database_class_init (RaDatabaseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ra_database_finalize;
}

static void
ra_database_init (RaDatabase *self)
{
  g_mutex_init (&self->mutex);
  self->queue = g_async_queue_new ();
  self->jobs = g_ptr_array_new ();
  self->worker_thread = g_thread_new ("ra-database", worker_thread_func, self);
}

/**
 * ra_database_new:
 *
 * Returns: (transfer full): a database with no store open yet
 */
RaDatabase *
ra_database_new (void)
{
  return g_object_new (RA_TYPE_DATABASE, NULL);
}

/**
 * ra_database_get_path:
 *
 * Returns: (nullable): the path of the open store. The string stays valid
 *   until the next open or close completes.
 */
const char *
ra_database_get_path (RaDatabase *self)
{
  const char *path;

  g_return_val_if_fail (RA_IS_DATABASE (self), NULL);

  g_mutex_lock (&self->mutex);
  path = self->path;
  g_mutex_unlock (&self->mutex);

  return path;
}

gboolean
ra_database_is_open (RaDatabase *self)
{
  gboolean ret;

  g_return_val_if_fail (RA_IS_DATABASE (self), FALSE);

  g_mutex_lock (&self->mutex);
  ret = self->is_open;
  g_mutex_unlock (&self->mutex);

  return ret;
}

static void
push_task (RaDatabase          *self,
           Work                *work,
           gpointer             source_tag,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  GTask *task;

  g_mutex_lock (&self->mutex);
  work->seq = ++self->next_seq;
  if (work->kind == WORK_OPEN || work->kind == WORK_CLOSE)
    self->push_generation++;
  work->generation = self->push_generation;
  g_mutex_unlock (&self->mutex);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, work, (GDestroyNotify) work_free);
  /* The queue owns the task until the worker returns it. */
  queue_task (self, task);
}

static void
sync_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* The work goes through the same queue, completing on a private main
 * context that this thread spins until the result is there. */
static gpointer
run_sync (RaDatabase  *self,
          Work        *work,
          GError     **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GAsyncResult) result = NULL;

  g_assert (g_thread_self () != self->worker_thread);

  g_main_context_push_thread_default (context);
  push_task (self, work, run_sync, NULL, sync_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ra_database_open_async (RaDatabase          *self,
                        const char          *path,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_return_if_fail (RA_IS_DATABASE (self));
  g_return_if_fail (path != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  push_task (self, open_work_new (path), ra_database_open_async, cancellable, callback, user_data);
}

gboolean
ra_database_open_finish (RaDatabase    *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  return ra_database_run_finish (self, result, error) != NULL;
}

gboolean
ra_database_open_sync (RaDatabase  *self,
                       const char  *path,
                       GError     **error)
{
  g_return_val_if_fail (RA_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  return run_sync (self, open_work_new (path), error) != NULL;
}

void
ra_database_close_async (RaDatabase          *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_return_if_fail (RA_IS_DATABASE (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  push_task (self, work_new (WORK_CLOSE, NULL, NULL, NULL, NULL),
             ra_database_close_async, cancellable, callback, user_data);
}

gboolean
ra_database_close_finish (RaDatabase    *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  return ra_database_run_finish (self, result, error) != NULL;
}

/* What the three run calls share: foreground work on the worker, BACKGROUND
 * work that yields to it, or a JOB on a thread and connection of its own. */
static void
push_run (RaDatabase          *self,
          RaDatabaseWorkFunc   func,
          gpointer             data,
          GDestroyNotify       data_free,
          GDestroyNotify       result_free,
          gboolean             background,
          gboolean             job,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  Work *work;

  g_return_if_fail (RA_IS_DATABASE (self));
  g_return_if_fail (func != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  work = work_new (WORK_RUN, func, data, data_free, result_free);
  work->background = background;
  work->job = job;
  push_task (self, work, ra_database_run_async, cancellable, callback, user_data);
}

/**
 * ra_database_run_async:
 * @func: the work, run on the worker thread with the open store
 * @data: (transfer full) (nullable): its data, a self-contained copy
 *
 * Queues @func. The callback runs on the thread-default main context of the
 * caller; use ra_database_run_finish() to get the result.
 */
void
ra_database_run_async (RaDatabase          *self,
                       RaDatabaseWorkFunc   func,
                       gpointer             data,
                       GDestroyNotify       data_free,
                       GDestroyNotify       result_free,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  push_run (self, func, data, data_free, result_free, FALSE, FALSE, cancellable, callback, user_data);
}

/**
 * ra_database_run_finish:
 *
 * Returns: (transfer full) (nullable): what the work function returned
 */
gpointer
ra_database_run_finish (RaDatabase    *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (RA_IS_DATABASE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gpointer
ra_database_run_sync (RaDatabase          *self,
                      RaDatabaseWorkFunc   func,
                      gpointer             data,
                      GDestroyNotify       data_free,
                      GDestroyNotify       result_free,
                      GError             **error)
{
  g_return_val_if_fail (RA_IS_DATABASE (self), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  return run_sync (self, work_new (WORK_RUN, func, data, data_free, result_free), error);
}


/* Background work: queued behind foreground work and interrupted when
 * foreground work arrives (read-only work only). */
void
ra_database_run_background_async (RaDatabase          *self,
                                  RaDatabaseWorkFunc   func,
                                  gpointer             data,
                                  GDestroyNotify       data_free,
                                  GDestroyNotify       result_free,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  push_run (self, func, data, data_free, result_free, TRUE, FALSE, cancellable, callback, user_data);
}


/**
 * ra_database_run_job_async:
 *
 * Long writing work (an import, a detection run): FUNC runs on a thread of
 * its own with a connection of its own to the store open when the job's
 * turn in the queue comes, so the worker (and every label) never waits
 * for it; only for the write lock, which such work takes in short
 * transactions. Calls made after this one do not wait for it. A store
 * switch or close cancels it, and its result is then returned as an error.
 */
void
ra_database_run_job_async (RaDatabase          *self,
                           RaDatabaseWorkFunc   func,
                           gpointer             data,
                           GDestroyNotify       data_free,
                           GDestroyNotify       result_free,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  push_run (self, func, data, data_free, result_free, FALSE, TRUE, cancellable, callback, user_data);
}
