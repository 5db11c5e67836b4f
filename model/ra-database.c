/* ra-database.c — one store connection on one dedicated worker thread
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ra-database"

#include "config.h"

#include "ra-database.h"

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

        g_clear_pointer (&self->store, ra_store_close);
        self->store = store;

        g_mutex_lock (&self->mutex);
        g_free (self->path);
        self->path = g_strdup (work->path);
        self->is_open = TRUE;
        self->generation = work->generation;
        g_mutex_unlock (&self->mutex);
        return GINT_TO_POINTER (TRUE);
      }

    case WORK_CLOSE:
      g_clear_pointer (&self->store, ra_store_close);
      g_mutex_lock (&self->mutex);
      g_clear_pointer (&self->path, g_free);
      self->is_open = FALSE;
      self->generation = work->generation;
      g_mutex_unlock (&self->mutex);
      return GINT_TO_POINTER (TRUE);

    case WORK_RUN:
    default:
      if (self->store == NULL)
        {
          g_set_error (error, RA_DATABASE_ERROR, RA_DATABASE_ERROR_NOT_OPEN,
                       "No store is open");
          return NULL;
        }
      return work->func (self->store, work->data, cancellable, error);
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
                           "The store changed before the work could run");
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

      if (work->background && work->kind == WORK_RUN)
        {
          if (run_background (self, task, work))
            continue;
        }
      else
        work->result = do_work (self, work, g_task_get_cancellable (task), &work->error);

      if (work->result == NULL && work->error == NULL)
        g_set_error (&work->error, RA_DATABASE_ERROR, RA_DATABASE_ERROR_CLOSED,
                     "The work returned no result");
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
  g_return_if_fail (RA_IS_DATABASE (self));
  g_return_if_fail (func != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  push_task (self, work_new (WORK_RUN, func, data, data_free, result_free),
             ra_database_run_async, cancellable, callback, user_data);
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

void
ra_store_overview_free (RaStoreOverview *overview)
{
  if (overview == NULL)
    return;

  g_free (overview->path);
  g_free (overview);
}

static gint64
count_rows (RaStore     *store,
            const char  *sql,
            GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!(stmt = ra_store_prepare (store, sql, error)))
    return -1;

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      ra_store_set_error (store, rc, "cannot count", error);
      return -1;
    }

  return sqlite3_column_int64 (stmt, 0);
}

static gpointer
overview_work (RaStore       *store,
               gpointer       data,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(RaStoreOverview) overview = g_new0 (RaStoreOverview, 1);

  overview->path = g_strdup (ra_store_get_path (store));
  if ((overview->n_batches = count_rows (store, "SELECT count(*) FROM batches", error)) < 0 ||
      (overview->n_turns = count_rows (store, "SELECT count(*) FROM turns", error)) < 0 ||
      (overview->n_audits = count_rows (store, "SELECT count(*) FROM audits", error)) < 0 ||
      (overview->n_labels = count_rows (store, "SELECT count(*) FROM label_events", error)) < 0)
    return NULL;

  return g_steal_pointer (&overview);
}

void
ra_database_overview_async (RaDatabase          *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  ra_database_run_async (self, overview_work, NULL, NULL,
                         (GDestroyNotify) ra_store_overview_free,
                         cancellable, callback, user_data);
}

/**
 * ra_database_overview_finish:
 *
 * Returns: (transfer full) (nullable): the overview
 */
RaStoreOverview *
ra_database_overview_finish (RaDatabase    *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return ra_database_run_finish (self, result, error);
}

void
ra_database_batch_free (RaDatabaseBatch *info)
{
  if (info == NULL)
    return;

  g_free (info->name);
  g_free (info->source);
  g_free (info->sha256);
  g_free (info->imported_at);
  g_free (info);
}

static gpointer
list_batches_work (RaStore       *store,
                   gpointer       data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr(GPtrArray) batches = g_ptr_array_new_with_free_func ((GDestroyNotify) ra_database_batch_free);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = ra_store_prepare (store,
                           "SELECT b.id, b.name, b.source, b.sha256, b.imported_at,"
                           "       b.n_imported, b.n_duplicates, b.n_rejected,"
                           "       (SELECT count(*) FROM turns t WHERE t.batch_id = b.id),"
                           "       (SELECT count(*) FROM turns t WHERE t.batch_id = b.id AND t.declined = 1),"
                           "       (SELECT count(*) FROM turns t WHERE t.batch_id = b.id AND t.declined IS NOT NULL)"
                           "  FROM batches b ORDER BY b.imported_at, b.id",
                           error);
  if (stmt == NULL)
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      RaDatabaseBatch *info = g_new0 (RaDatabaseBatch, 1);

      info->id = sqlite3_column_int64 (stmt, 0);
      info->name = g_strdup (ra_column_text (stmt, 1));
      info->source = g_strdup (ra_column_text (stmt, 2));
      info->sha256 = g_strdup (ra_column_text (stmt, 3));
      info->imported_at = g_strdup (ra_column_text (stmt, 4));
      info->n_imported = sqlite3_column_int64 (stmt, 5);
      info->n_duplicates = sqlite3_column_int64 (stmt, 6);
      info->n_rejected = sqlite3_column_int64 (stmt, 7);
      info->n_turns = sqlite3_column_int64 (stmt, 8);
      info->n_declined = sqlite3_column_int64 (stmt, 9);
      info->n_flagged = sqlite3_column_int64 (stmt, 10);
      g_ptr_array_add (batches, info);
    }

  if (rc != SQLITE_DONE)
    {
      ra_store_set_error (store, rc, "cannot list the batches", error);
      return NULL;
    }

  return g_steal_pointer (&batches);
}

void
ra_database_list_batches_async (RaDatabase          *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  Work *work;

  g_return_if_fail (RA_IS_DATABASE (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  /* Counting the declines of every batch reads every turn: on a store of
   * a million turns that is seconds, which must not hold up the session. */
  work = work_new (WORK_RUN, list_batches_work, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
  work->background = TRUE;
  push_task (self, work, ra_database_run_async, cancellable, callback, user_data);
}

/**
 * ra_database_list_batches_finish:
 *
 * Returns: (transfer container) (element-type RaDatabaseBatch): the batches
 */
GPtrArray *
ra_database_list_batches_finish (RaDatabase    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return ra_database_run_finish (self, result, error);
}

void
ra_audit_info_free (RaAuditInfo *info)
{
  if (info == NULL)
    return;

  g_clear_pointer (&info->audit, ra_audit_free);
  g_clear_pointer (&info->strata, g_ptr_array_unref);
  g_free (info);
}

static RaAuditInfo *
audit_info_new (RaStore  *store,
                RaAudit  *audit,
                GError  **error)
{
  g_autoptr(RaAuditInfo) info = g_new0 (RaAuditInfo, 1);

  info->audit = audit;
  if (!(info->strata = ra_audit_get_strata (store, audit->id, error)))
    return NULL;

  for (guint i = 0; i < info->strata->len; i++)
    {
      const RaAuditStratum *stratum = g_ptr_array_index (info->strata, i);

      info->sampled += stratum->sampled;
      info->labelled += stratum->labelled;
      info->unsure += stratum->unsure;
      info->unlabelled += stratum->unlabelled;
    }

  return g_steal_pointer (&info);
}

static gpointer
list_audits_work (RaStore       *store,
                  gpointer       data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(GPtrArray) audits = NULL;
  g_autoptr(GPtrArray) infos = g_ptr_array_new_with_free_func ((GDestroyNotify) ra_audit_info_free);

  if (!(audits = ra_audit_list (store, error)))
    return NULL;

  /* The infos take over the audits. */
  g_ptr_array_set_free_func (audits, NULL);
  for (guint i = 0; i < audits->len; i++)
    {
      RaAudit *audit = g_ptr_array_index (audits, i);
      RaAuditInfo *info;

      if (!(info = audit_info_new (store, audit, error)))
        {
          for (guint j = i + 1; j < audits->len; j++)
            ra_audit_free (g_ptr_array_index (audits, j));
          return NULL;
        }
      g_ptr_array_add (infos, info);
    }

  return g_steal_pointer (&infos);
}

void
ra_database_list_audits_async (RaDatabase          *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  ra_database_run_async (self, list_audits_work, NULL, NULL,
                         (GDestroyNotify) g_ptr_array_unref,
                         cancellable, callback, user_data);
}

/**
 * ra_database_list_audits_finish:
 *
 * Returns: (transfer container) (element-type RaAuditInfo): the audits
 */
GPtrArray *
ra_database_list_audits_finish (RaDatabase    *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return ra_database_run_finish (self, result, error);
}

static gpointer
get_audit_work (RaStore       *store,
                gpointer       data,
                GCancellable  *cancellable,
                GError       **error)
{
  RaAudit *audit;

  if (!(audit = ra_audit_load (store, data, error)))
    return NULL;
  return audit_info_new (store, audit, error);
}

void
ra_database_get_audit_async (RaDatabase          *self,
                             const char          *name,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (name != NULL);

  ra_database_run_async (self, get_audit_work, g_strdup (name), g_free,
                         (GDestroyNotify) ra_audit_info_free,
                         cancellable, callback, user_data);
}

/**
 * ra_database_get_audit_finish:
 *
 * Returns: (transfer full): the audit with its strata
 */
RaAuditInfo *
ra_database_get_audit_finish (RaDatabase    *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return ra_database_run_finish (self, result, error);
}

typedef struct
{
  char            *audit;
  RaReportOptions  options;
  char            *compare_a;
  char            *compare_b;
} ReportData;

static void
report_data_free (ReportData *data)
{
  g_free (data->audit);
  g_free (data->compare_a);
  g_free (data->compare_b);
  g_free (data);
}

static gpointer
report_work (RaStore       *store,
             gpointer       user_data,
             GCancellable  *cancellable,
             GError       **error)
{
  ReportData *data = user_data;

  return ra_report_build (store, data->audit, &data->options, error);
}

void
ra_database_report_async (RaDatabase            *self,
                          const char            *audit,
                          const RaReportOptions *options,
                          GCancellable          *cancellable,
                          GAsyncReadyCallback    callback,
                          gpointer               user_data)
{
  ReportData *data;

  g_return_if_fail (audit != NULL);

  data = g_new0 (ReportData, 1);
  data->audit = g_strdup (audit);
  if (options != NULL)
    data->options = *options;
  else
    ra_report_options_init (&data->options);
  /* A self-contained copy: the caller's strings may go away. */
  data->compare_a = g_strdup (data->options.compare_a);
  data->compare_b = g_strdup (data->options.compare_b);
  data->options.compare_a = data->compare_a;
  data->options.compare_b = data->compare_b;

  ra_database_run_async (self, report_work, data, (GDestroyNotify) report_data_free,
                         (GDestroyNotify) ra_report_free,
                         cancellable, callback, user_data);
}

/**
 * ra_database_report_finish:
 *
 * Returns: (transfer full): the report
 */
RaReport *
ra_database_report_finish (RaDatabase    *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return ra_database_run_finish (self, result, error);
}

typedef struct
{
  char          *name;
  RaAuditDesign  design;
} CreateData;

static void
design_copy (RaAuditDesign       *dest,
             const RaAuditDesign *src)
{
  *dest = *src;
  dest->batches = g_strdupv (src->batches);
  dest->models = g_strdupv (src->models);
  dest->classes = g_strdupv (src->classes);
  dest->from = g_strdup (src->from);
  dest->to = g_strdup (src->to);
}

static void
design_clear (RaAuditDesign *design)
{
  g_clear_pointer (&design->batches, g_strfreev);
  g_clear_pointer (&design->models, g_strfreev);
  g_clear_pointer (&design->classes, g_strfreev);
  g_clear_pointer (&design->from, g_free);
  g_clear_pointer (&design->to, g_free);
}

static void
create_data_free (CreateData *data)
{
  g_free (data->name);
  design_clear (&data->design);
  g_free (data);
}

static gpointer
create_audit_work (RaStore       *store,
                   gpointer       user_data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  CreateData *data = user_data;
  RaAuditSampleResult result = { 0 };
  RaAudit *audit;

  audit = ra_audit_create (store, data->name, &data->design, &result, error);
  ra_audit_sample_result_clear (&result);

  return audit;
}

void
ra_database_create_audit_async (RaDatabase          *self,
                                const char          *name,
                                const RaAuditDesign *design,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  CreateData *data;

  g_return_if_fail (name != NULL);
  g_return_if_fail (design != NULL);

  data = g_new0 (CreateData, 1);
  data->name = g_strdup (name);
  design_copy (&data->design, design);

  ra_database_run_async (self, create_audit_work, data, (GDestroyNotify) create_data_free,
                         (GDestroyNotify) ra_audit_free,
                         cancellable, callback, user_data);
}

/**
 * ra_database_create_audit_finish:
 *
 * Returns: (transfer full): the new audit
 */
RaAudit *
ra_database_create_audit_finish (RaDatabase    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return ra_database_run_finish (self, result, error);
}

void
ra_frame_stratum_free (RaFrameStratum *stratum)
{
  if (stratum == NULL)
    return;

  g_free (stratum->stratum);
  g_free (stratum);
}

static char *
strv_to_json (char **strv)
{
  g_autoptr(cJSON) array = NULL;
  char *printed;
  char *ret;

  if (strv == NULL || strv[0] == NULL)
    return NULL;

  array = cJSON_CreateArray ();
  for (guint i = 0; strv[i] != NULL; i++)
    cJSON_AddItemToArray (array, cJSON_CreateString (strv[i]));

  printed = cJSON_PrintUnformatted (array);
  ret = g_strdup (printed);
  cJSON_free (printed);
  return ret;
}

static gpointer
frame_work (RaStore       *store,
            gpointer       user_data,
            GCancellable  *cancellable,
            GError       **error)
{
  RaAuditDesign *design = user_data;
  g_autoptr(GPtrArray) strata = g_ptr_array_new_with_free_func ((GDestroyNotify) ra_frame_stratum_free);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *classes = strv_to_json (design->classes);
  g_autofree char *models = strv_to_json (design->models);
  g_autofree char *batches = strv_to_json (design->batches);
  int rc;

  /* The SQL is built from constant fragments only; every value is bound. */
  sql = g_strconcat ("SELECT ",
                     design->strata_by == RA_STRATA_CLASS_MODEL ? "t.class || '/' || t.model" : "t.class",
                     ", count(*) FROM turns t LEFT JOIN detections d ON d.turn_id = t.id"
                     " WHERE ", ra_declined_by_sql (design->declined_by),
                     " AND (?1 IS NULL OR t.class IN (SELECT value FROM json_each (?1)))"
                     " AND (?2 IS NULL OR t.model IN (SELECT value FROM json_each (?2)))"
                     " AND (?3 IS NULL OR t.batch_id IN (SELECT b.id FROM batches b"
                     "      WHERE b.name IN (SELECT value FROM json_each (?3))))"
                     " AND (?4 IS NULL OR t.ts >= ?4)"
                     " AND (?5 IS NULL OR t.ts < ?5)"
                     " GROUP BY 1 ORDER BY 1",
                     NULL);

  if (!(stmt = ra_store_prepare (store, sql, error)))
    return NULL;

  ra_bind_text (stmt, 1, classes);
  ra_bind_text (stmt, 2, models);
  ra_bind_text (stmt, 3, batches);
  ra_bind_text (stmt, 4, design->from);
  ra_bind_text (stmt, 5, design->to);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      RaFrameStratum *stratum = g_new0 (RaFrameStratum, 1);

      stratum->stratum = g_strdup (ra_column_text (stmt, 0));
      stratum->population = sqlite3_column_int64 (stmt, 1);
      g_ptr_array_add (strata, stratum);
    }

  if (rc != SQLITE_DONE)
    {
      ra_store_set_error (store, rc, "cannot count the frame", error);
      return NULL;
    }

  return g_steal_pointer (&strata);
}

static void
design_free (RaAuditDesign *design)
{
  design_clear (design);
  g_free (design);
}

void
ra_database_frame_async (RaDatabase          *self,
                         const RaAuditDesign *design,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  RaAuditDesign *copy;

  g_return_if_fail (design != NULL);

  copy = g_new0 (RaAuditDesign, 1);
  design_copy (copy, design);
  ra_database_run_async (self, frame_work, copy, (GDestroyNotify) design_free,
                         (GDestroyNotify) g_ptr_array_unref,
                         cancellable, callback, user_data);
}

/**
 * ra_database_frame_finish:
 *
 * Returns: (transfer container) (element-type RaFrameStratum): N_h per stratum
 */
GPtrArray *
ra_database_frame_finish (RaDatabase    *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  return ra_database_run_finish (self, result, error);
}

void
ra_store_values_free (RaStoreValues *values)
{
  if (values == NULL)
    return;

  g_strfreev (values->classes);
  g_strfreev (values->models);
  g_strfreev (values->batches);
  g_free (values);
}

static char **
distinct_values (RaStore     *store,
                 const char  *sql,
                 GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  int rc;

  if (!(stmt = ra_store_prepare (store, sql, error)))
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_strv_builder_add (builder, ra_column_text (stmt, 0) ? ra_column_text (stmt, 0) : "");

  if (rc != SQLITE_DONE)
    {
      ra_store_set_error (store, rc, "cannot list values", error);
      return NULL;
    }

  return g_strv_builder_end (builder);
}

static gpointer
values_work (RaStore       *store,
             gpointer       user_data,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(RaStoreValues) values = g_new0 (RaStoreValues, 1);

  /* turns_class_model serves the first two without a table scan. */
  if (!(values->classes = distinct_values (store, "SELECT DISTINCT class FROM turns ORDER BY 1", error)) ||
      !(values->models = distinct_values (store, "SELECT DISTINCT model FROM turns ORDER BY 1", error)) ||
      !(values->batches = distinct_values (store, "SELECT name FROM batches ORDER BY imported_at, id", error)))
    return NULL;

  return g_steal_pointer (&values);
}

void
ra_database_values_async (RaDatabase          *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  ra_database_run_async (self, values_work, NULL, NULL,
                         (GDestroyNotify) ra_store_values_free,
                         cancellable, callback, user_data);
}

/**
 * ra_database_values_finish:
 *
 * Returns: (transfer full): the distinct values
 */
RaStoreValues *
ra_database_values_finish (RaDatabase    *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return ra_database_run_finish (self, result, error);
}

/* Shared between the worker (which reports) and the main context (which
 * shows): reference counted, so whichever side finishes last frees it. */
typedef struct
{
  RaImportProgressFunc  func;
  gpointer              data;
  GDestroyNotify        data_free;
  GMainContext         *context;
  gint64                last_report;
  GMutex                mutex;
  guint64               bytes_read;
  guint64               bytes_total;
  gboolean              pending;
} ImportProgress;

static void
import_progress_clear (gpointer user_data)
{
  ImportProgress *progress = user_data;

  if (progress->data_free != NULL && progress->data != NULL)
    progress->data_free (progress->data);
  g_main_context_unref (progress->context);
  g_mutex_clear (&progress->mutex);
}

static void
import_progress_unref (ImportProgress *progress)
{
  g_atomic_rc_box_release_full (progress, import_progress_clear);
}

static gboolean
import_progress_idle_cb (gpointer user_data)
{
  ImportProgress *progress = user_data;
  guint64 read, total;

  g_mutex_lock (&progress->mutex);
  read = progress->bytes_read;
  total = progress->bytes_total;
  progress->pending = FALSE;
  g_mutex_unlock (&progress->mutex);

  if (progress->func != NULL)
    progress->func (read, total, progress->data);

  return G_SOURCE_REMOVE;
}

static void
import_progress_on_worker (guint64  bytes_read,
                           guint64  bytes_total,
                           gpointer user_data)
{
  ImportProgress *progress = user_data;
  gint64 now = g_get_monotonic_time ();
  gboolean schedule;

  if (now - progress->last_report < 50 * G_TIME_SPAN_MILLISECOND && bytes_read < bytes_total)
    return;
  progress->last_report = now;

  g_mutex_lock (&progress->mutex);
  progress->bytes_read = bytes_read;
  progress->bytes_total = bytes_total;
  schedule = !progress->pending;
  progress->pending = TRUE;
  g_mutex_unlock (&progress->mutex);

  if (schedule)
    {
      g_autoptr(GSource) source = g_idle_source_new ();

      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, import_progress_idle_cb,
                             g_atomic_rc_box_acquire (progress),
                             (GDestroyNotify) import_progress_unref);
      g_source_set_static_name (source, "[ra-database] import progress");
      g_source_attach (source, progress->context);
    }
}

typedef struct
{
  char            *path;
  RaImportOptions *options;
  ImportProgress  *progress;
} ImportData;

static void
import_data_free (ImportData *data)
{
  g_free (data->path);
  g_clear_pointer (&data->options, ra_import_options_free);
  g_clear_pointer (&data->progress, import_progress_unref);
  g_free (data);
}

typedef struct
{
  RaImportResult *result;
  GError         *error;
} ImportOutcome;

static void
import_outcome_free (ImportOutcome *outcome)
{
  g_clear_pointer (&outcome->result, ra_import_result_free);
  g_clear_error (&outcome->error);
  g_free (outcome);
}

static gpointer
import_work (RaStore       *store,
             gpointer       user_data,
             GCancellable  *cancellable,
             GError       **error)
{
  ImportData *data = user_data;
  ImportOutcome *outcome = g_new0 (ImportOutcome, 1);

  /* An invalid file returns its result (with the problems) AND an error:
   * keep both, so the UI can list the problems. */
  outcome->result = ra_import_file (store, data->path, data->options,
                                    import_progress_on_worker, data->progress,
                                    cancellable, &outcome->error);
  if (outcome->result == NULL && outcome->error == NULL)
    g_set_error (&outcome->error, RA_IMPORT_ERROR, RA_IMPORT_ERROR_READ,
                 "%s: the import failed", data->path);

  if (outcome->result == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&outcome->error));
      import_outcome_free (outcome);
      return NULL;
    }

  return outcome;
}

void
ra_database_import_async (RaDatabase           *self,
                          const char           *path,
                          RaImportOptions      *options,
                          RaImportProgressFunc  progress,
                          gpointer              progress_data,
                          GDestroyNotify        progress_data_free,
                          GCancellable         *cancellable,
                          GAsyncReadyCallback   callback,
                          gpointer              user_data)
{
  ImportData *data;

  g_return_if_fail (path != NULL);
  g_return_if_fail (options != NULL);

  data = g_new0 (ImportData, 1);
  data->path = g_strdup (path);
  data->options = options;
  data->progress = g_atomic_rc_box_new0 (ImportProgress);
  data->progress->func = progress;
  data->progress->data = progress_data;
  data->progress->data_free = progress_data_free;
  data->progress->context = g_main_context_ref_thread_default ();
  g_mutex_init (&data->progress->mutex);

  ra_database_run_async (self, import_work, data, (GDestroyNotify) import_data_free,
                         (GDestroyNotify) import_outcome_free,
                         cancellable, callback, user_data);
}

/**
 * ra_database_import_finish:
 * @invalid_result_out: (out) (optional) (transfer full): the result of a file
 *   that was refused for its invalid records (its problems list them)
 *
 * Returns: (transfer full) (nullable): the result of a file that landed
 */
RaImportResult *
ra_database_import_finish (RaDatabase      *self,
                           GAsyncResult    *result,
                           RaImportResult **invalid_result_out,
                           GError         **error)
{
  ImportOutcome *outcome;
  RaImportResult *ret;

  if (invalid_result_out != NULL)
    *invalid_result_out = NULL;

  if (!(outcome = ra_database_run_finish (self, result, error)))
    return NULL;

  if (outcome->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&outcome->error));
      if (invalid_result_out != NULL)
        *invalid_result_out = g_steal_pointer (&outcome->result);
      import_outcome_free (outcome);
      return NULL;
    }

  ret = g_steal_pointer (&outcome->result);
  import_outcome_free (outcome);
  return ret;
}

typedef struct
{
  gint64  audit_id;
  char   *klass;
  char   *text;
} GuidelineData;

static void
guideline_data_free (GuidelineData *data)
{
  g_free (data->klass);
  g_free (data->text);
  g_free (data);
}

static gpointer
get_guideline_work (RaStore       *store,
                    gpointer       user_data,
                    GCancellable  *cancellable,
                    GError       **error)
{
  GuidelineData *data = user_data;
  g_autoptr(GError) local_error = NULL;
  char *text;

  text = ra_audit_get_guideline (store, data->audit_id, data->klass, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  /* "No guideline" is not an error: return an empty string. */
  return text != NULL ? text : g_strdup ("");
}

void
ra_database_get_guideline_async (RaDatabase          *self,
                                 gint64               audit_id,
                                 const char          *klass,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GuidelineData *data = g_new0 (GuidelineData, 1);

  data->audit_id = audit_id;
  data->klass = g_strdup (klass);
  ra_database_run_async (self, get_guideline_work, data, (GDestroyNotify) guideline_data_free,
                         g_free, cancellable, callback, user_data);
}

/**
 * ra_database_get_guideline_finish:
 *
 * Returns: (transfer full): the guideline, "" when there is none
 */
char *
ra_database_get_guideline_finish (RaDatabase    *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return ra_database_run_finish (self, result, error);
}

static gpointer
set_guideline_work (RaStore       *store,
                    gpointer       user_data,
                    GCancellable  *cancellable,
                    GError       **error)
{
  GuidelineData *data = user_data;

  if (!ra_audit_set_guideline (store, data->audit_id, data->klass, data->text, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

void
ra_database_set_guideline_async (RaDatabase          *self,
                                 gint64               audit_id,
                                 const char          *klass,
                                 const char          *text,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GuidelineData *data = g_new0 (GuidelineData, 1);

  data->audit_id = audit_id;
  data->klass = g_strdup (klass);
  data->text = g_strdup (text);
  ra_database_run_async (self, set_guideline_work, data, (GDestroyNotify) guideline_data_free,
                         NULL, cancellable, callback, user_data);
}

gboolean
ra_database_set_guideline_finish (RaDatabase    *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return ra_database_run_finish (self, result, error) != NULL;
}

void
ra_session_step_free (RaSessionStep *step)
{
  if (step == NULL)
    return;

  g_free (step->event_id);
  g_clear_pointer (&step->undo_event, ra_label_event_free);
  g_clear_pointer (&step->item, ra_label_item_free);
  g_clear_pointer (&step->content, ra_item_content_free);
  g_clear_pointer (&step->strata, g_ptr_array_unref);
  g_free (step);
}

typedef enum
{
  SESSION_LOAD,
  SESSION_LABEL,
  SESSION_UNDO,
} SessionKind;

typedef struct
{
  SessionKind   kind;
  gint64        audit_id;
  char         *reviewer;
  gint64        turn_id;
  gint64        after_turn_id;
  RaLabelValue  value;
  char         *note;
  gboolean      flagged;
  double        seconds;
  gboolean      then_next;
} SessionData;

static void
session_data_free (SessionData *data)
{
  g_free (data->reviewer);
  g_free (data->note);
  g_free (data);
}

static gboolean
session_fill_item (RaStore        *store,
                   SessionData    *data,
                   RaSessionStep  *step,
                   gint64          turn_id,
                   gint64          after_turn_id,
                   GError        **error)
{
  g_autoptr(GError) local_error = NULL;

  if (turn_id > 0)
    {
      if (!(step->item = ra_labels_get_item (store, data->audit_id, turn_id, data->reviewer, error)))
        return FALSE;
    }
  else
    {
      g_autoptr(RaLabelItem) after = NULL;

      if (after_turn_id > 0 &&
          !(after = ra_labels_get_item (store, data->audit_id, after_turn_id, data->reviewer, error)))
        return FALSE;

      step->item = ra_labels_next_unlabelled (store, data->audit_id, data->reviewer, after, &local_error);
      /* Nothing after this one: wrap to the items skipped earlier. */
      if (step->item == NULL && local_error == NULL && after != NULL)
        step->item = ra_labels_next_unlabelled (store, data->audit_id, data->reviewer, NULL, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }

  if (step->item != NULL &&
      !(step->content = ra_labels_get_content (store, data->audit_id, step->item->turn_id, error)))
    return FALSE;

  if (!(step->strata = ra_audit_get_strata (store, data->audit_id, error)))
    return FALSE;

  return TRUE;
}

static gpointer
session_work (RaStore       *store,
              gpointer       user_data,
              GCancellable  *cancellable,
              GError       **error)
{
  SessionData *data = user_data;
  g_autoptr(RaSessionStep) step = g_new0 (RaSessionStep, 1);

  switch (data->kind)
    {
    case SESSION_LABEL:
      /* The label is committed here, before the next item is even read:
       * killing the process after this point loses nothing. */
      if (!ra_labels_record (store, data->audit_id, data->turn_id, data->reviewer,
                             data->value, data->note, data->flagged, data->seconds,
                             &step->event_id, error))
        return NULL;
      if (!session_fill_item (store, data, step,
                              data->then_next ? 0 : data->turn_id,
                              data->turn_id, error))
        return NULL;
      break;

    case SESSION_UNDO:
      if (!(step->undo_event = ra_labels_undo (store, data->audit_id, data->reviewer, error)))
        return NULL;
      if (!session_fill_item (store, data, step, step->undo_event->turn_id, 0, error))
        return NULL;
      break;

    case SESSION_LOAD:
    default:
      if (!session_fill_item (store, data, step, data->turn_id, data->after_turn_id, error))
        return NULL;
      break;
    }

  return g_steal_pointer (&step);
}

static void
session_run (RaDatabase          *self,
             SessionData         *data,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  ra_database_run_async (self, session_work, data, (GDestroyNotify) session_data_free,
                         (GDestroyNotify) ra_session_step_free,
                         cancellable, callback, user_data);
}

void
ra_database_session_load_async (RaDatabase          *self,
                                gint64               audit_id,
                                const char          *reviewer,
                                gint64               turn_id,
                                gint64               after_turn_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  SessionData *data = g_new0 (SessionData, 1);

  data->kind = SESSION_LOAD;
  data->audit_id = audit_id;
  data->reviewer = g_strdup (reviewer);
  data->turn_id = turn_id;
  data->after_turn_id = after_turn_id;
  session_run (self, data, cancellable, callback, user_data);
}

void
ra_database_session_label_async (RaDatabase          *self,
                                 gint64               audit_id,
                                 const char          *reviewer,
                                 gint64               turn_id,
                                 RaLabelValue         value,
                                 const char          *note,
                                 gboolean             flagged,
                                 double               seconds,
                                 gboolean             then_next,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  SessionData *data;

  g_return_if_fail (reviewer != NULL);

  data = g_new0 (SessionData, 1);
  data->kind = SESSION_LABEL;
  data->audit_id = audit_id;
  data->reviewer = g_strdup (reviewer);
  data->turn_id = turn_id;
  data->value = value;
  data->note = g_strdup (note);
  data->flagged = flagged;
  data->seconds = seconds;
  data->then_next = then_next;
  session_run (self, data, cancellable, callback, user_data);
}

void
ra_database_session_undo_async (RaDatabase          *self,
                                gint64               audit_id,
                                const char          *reviewer,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  SessionData *data;

  g_return_if_fail (reviewer != NULL);

  data = g_new0 (SessionData, 1);
  data->kind = SESSION_UNDO;
  data->audit_id = audit_id;
  data->reviewer = g_strdup (reviewer);
  session_run (self, data, cancellable, callback, user_data);
}

/**
 * ra_database_session_finish:
 *
 * Returns: (transfer full): the step
 */
RaSessionStep *
ra_database_session_finish (RaDatabase    *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return ra_database_run_finish (self, result, error);
}

static gpointer
list_items_work (RaStore       *store,
                 gpointer       user_data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  SessionData *data = user_data;

  return ra_labels_list_items (store, data->audit_id, data->reviewer, error);
}

void
ra_database_list_items_async (RaDatabase          *self,
                              gint64               audit_id,
                              const char          *reviewer,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  SessionData *data = g_new0 (SessionData, 1);

  data->audit_id = audit_id;
  data->reviewer = g_strdup (reviewer);
  ra_database_run_async (self, list_items_work, data, (GDestroyNotify) session_data_free,
                         (GDestroyNotify) g_ptr_array_unref,
                         cancellable, callback, user_data);
}

/**
 * ra_database_list_items_finish:
 *
 * Returns: (transfer container) (element-type RaLabelItem): the items
 */
GPtrArray *
ra_database_list_items_finish (RaDatabase    *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return ra_database_run_finish (self, result, error);
}
