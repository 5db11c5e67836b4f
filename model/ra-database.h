/* ra-database.h — one store connection on one dedicated worker thread
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The workbench never calls sqlite3_step on its UI thread. An RaDatabase owns
 * one RaStore that only its worker thread touches; every call is an _async /
 * _finish pair whose GTask is pushed onto the worker's queue and completes on
 * the main context of the caller, in the order the calls were made. Long
 * work (import, detection, creating an audit, the detector's evaluation,
 * the Results page's figures) is the exception: it starts in its turn, then runs on a thread
 * and connection of its own, so the calls after it (a label) do not wait
 * for it; it completes when it is done. A store switch or close cancels it.
 */

#pragma once

#include <gio/gio.h>

#include "ra-audit.h"
#include "ra-import.h"
#include "ra-labels.h"
#include "ra-queue.h"
#include "ra-resolve.h"
#include "ra-report.h"
#include "ra-store.h"
#include "ra-turns.h"

G_BEGIN_DECLS

#define RA_DATABASE_ERROR (ra_database_error_quark ())

typedef enum
{
  RA_DATABASE_ERROR_NOT_OPEN = 1,  /* no store is open */
  RA_DATABASE_ERROR_CLOSED,        /* the store was closed before the work ran (or, for
                                    * an import or detection, while it ran) */
} RaDatabaseError;

GQuark ra_database_error_quark (void);

#define RA_TYPE_DATABASE (ra_database_get_type ())

G_DECLARE_FINAL_TYPE (RaDatabase, ra_database, RA, DATABASE, GObject)

/**
 * RaDatabaseWorkFunc:
 * @store: the open store (only valid on the worker thread, during the call)
 * @data: the work's own data
 * @cancellable: (nullable): the task's cancellable
 * @error: return location for a #GError
 *
 * Runs on the worker thread. Returns a result (freed with the result free
 * function if nobody takes it), or NULL with @error set. Work functions that
 * return no value return GINT_TO_POINTER (TRUE).
 */
typedef gpointer (*RaDatabaseWorkFunc) (RaStore       *store,
                                        gpointer       data,
                                        GCancellable  *cancellable,
                                        GError       **error);

RaDatabase  *ra_database_new                (void);
const char  *ra_database_get_path           (RaDatabase           *self);
gboolean     ra_database_is_open            (RaDatabase           *self);

void         ra_database_open_async         (RaDatabase           *self,
                                             const char           *path,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
gboolean     ra_database_open_finish        (RaDatabase           *self,
                                             GAsyncResult         *result,
                                             GError              **error);
/* Blocking variant, for tests and tools only. */
gboolean     ra_database_open_sync          (RaDatabase           *self,
                                             const char           *path,
                                             GError              **error);

void         ra_database_close_async        (RaDatabase           *self,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
gboolean     ra_database_close_finish       (RaDatabase           *self,
                                             GAsyncResult         *result,
                                             GError              **error);

/* Runs FUNC (DATA) on the worker. DATA is freed with DATA_FREE when the task
 * is done; a result nobody finished is freed with RESULT_FREE. */
void         ra_database_run_async          (RaDatabase           *self,
                                             RaDatabaseWorkFunc    func,
                                             gpointer              data,
                                             GDestroyNotify        data_free,
                                             GDestroyNotify        result_free,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
gpointer     ra_database_run_finish         (RaDatabase           *self,
                                             GAsyncResult         *result,
                                             GError              **error);
/* Blocking: queues the work and waits for it (tests and tools only; never
 * from a thread that must stay responsive). */
gpointer     ra_database_run_sync           (RaDatabase           *self,
                                             RaDatabaseWorkFunc    func,
                                             gpointer              data,
                                             GDestroyNotify        data_free,
                                             GDestroyNotify        result_free,
                                             GError              **error);

/* Runs FUNC (DATA) as a job: on a thread of its own with its own connection
 * to the store (never the worker's), so that the calls after it (a label)
 * do not wait for it. For work that runs for more than a moment: a writer
 * that takes the write lock in short transactions (import, detection), or a
 * long read (the Results page's report and summary over every turn). A
 * store switch or close cancels it; its result is then an error
 * (G_IO_ERROR_CANCELLED when it stopped, RA_DATABASE_ERROR_CLOSED when it
 * finished first). */
void         ra_database_run_job_async      (RaDatabase           *self,
                                             RaDatabaseWorkFunc    func,
                                             gpointer              data,
                                             GDestroyNotify        data_free,
                                             GDestroyNotify        result_free,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);

void             ra_database_overview_async  (RaDatabase           *self,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
RaStoreOverview *ra_database_overview_finish (RaDatabase           *self,
                                              GAsyncResult         *result,
                                              GError              **error);

/* ra_turns_list_batches() as a job (it counts every turn): (element-type
 * RaBatch), by import time */
void             ra_database_list_batches_async  (RaDatabase           *self,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
GPtrArray       *ra_database_list_batches_finish (RaDatabase           *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* One audit with its strata and progress. */
typedef struct
{
  RaAudit   *audit;
  GPtrArray *strata;       /* RaAuditStratum * */
  guint64    sampled;
  guint64    labelled;     /* definite labels */
  guint64    unsure;
  guint64    unlabelled;
} RaAuditInfo;

void             ra_audit_info_free          (RaAuditInfo *info);

/* (element-type RaAuditInfo), by creation */
void             ra_database_list_audits_async   (RaDatabase           *self,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
GPtrArray       *ra_database_list_audits_finish  (RaDatabase           *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
void             ra_database_get_audit_async     (RaDatabase           *self,
                                                  const char           *name,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
RaAuditInfo     *ra_database_get_audit_finish    (RaDatabase           *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* ra_report_build() on the worker. OPTIONS may be NULL (the defaults). */
void             ra_database_report_async        (RaDatabase           *self,
                                                  const char           *audit,
                                                  const RaReportOptions *options,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
RaReport        *ra_database_report_finish       (RaDatabase           *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* ra_audit_create() as a job (its own thread and connection). The design
 * is copied. */
void             ra_database_create_audit_async  (RaDatabase           *self,
                                                  const char           *name,
                                                  const RaAuditDesign  *design,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
RaAudit         *ra_database_create_audit_finish (RaDatabase           *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* Per-stratum frame sizes N_h for a design (no sample is drawn): the
 * declined turns matching the design's filters, by the design's strata
 * (RaFrameStratum, ra-frame.h). */
void             ra_database_frame_async         (RaDatabase           *self,
                                                  const RaAuditDesign  *design,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
GPtrArray       *ra_database_frame_finish        (RaDatabase           *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

void             ra_database_values_async        (RaDatabase           *self,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
RaStoreValues   *ra_database_values_finish       (RaDatabase           *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* ra_import_file() as a job (its own thread and connection: labels do not
 * wait for it). PROGRESS is called on the caller's main context, at most
 * about every 50 ms. The options are
 * consumed. On RA_IMPORT_ERROR_INVALID the result is still returned through
 * RESULT_OUT with its problems. */
void             ra_database_import_async        (RaDatabase           *self,
                                                  const char           *path,
                                                  RaImportOptions      *options,
                                                  RaImportProgressFunc  progress,
                                                  gpointer              progress_data,
                                                  GDestroyNotify        progress_data_free,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
RaImportResult  *ra_database_import_finish       (RaDatabase           *self,
                                                  GAsyncResult         *result,
                                                  RaImportResult      **invalid_result_out,
                                                  GError              **error);

/* Guideline text of an audit's class (NULL when there is none). */
void             ra_database_get_guideline_async (RaDatabase           *self,
                                                  gint64                audit_id,
                                                  const char           *klass,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
char            *ra_database_get_guideline_finish (RaDatabase          *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
void             ra_database_set_guideline_async (RaDatabase           *self,
                                                  gint64                audit_id,
                                                  const char           *klass,
                                                  const char           *text,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean         ra_database_set_guideline_finish (RaDatabase          *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* One step of a labelling session: what was written, and the item to show. */
typedef struct
{
  char          *event_id;    /* the label just recorded (label steps) */
  RaLabelEvent  *undo_event;  /* the undo event just written (undo steps) */
  RaLabelItem   *item;        /* the item to show; NULL: none left to label */
  RaItemContent *content;     /* its content (NULL with item) */
  GPtrArray     *strata;      /* RaAuditStratum *: progress after the step */
} RaSessionStep;

void             ra_session_step_free        (RaSessionStep *step);

/* Shows TURN_ID (> 0), or the first item without a label of REVIEWER after
 * AFTER_TURN_ID in review order (0: from the start; wraps around). */
void             ra_database_session_load_async  (RaDatabase           *self,
                                                  gint64                audit_id,
                                                  const char           *reviewer,
                                                  gint64                turn_id,
                                                  gint64                after_turn_id,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
/* Records a label (committed before anything else runs), then loads the
 * next item without a label of REVIEWER after TURN_ID. */
void             ra_database_session_label_async (RaDatabase           *self,
                                                  gint64                audit_id,
                                                  const char           *reviewer,
                                                  gint64                turn_id,
                                                  RaLabelValue          value,
                                                  const char           *note,
                                                  gboolean              flagged,
                                                  double                seconds,
                                                  gboolean              then_next,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
/* Undoes REVIEWER's latest event and loads the item it restored. */
void             ra_database_session_undo_async  (RaDatabase           *self,
                                                  gint64                audit_id,
                                                  const char           *reviewer,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
RaSessionStep   *ra_database_session_finish      (RaDatabase           *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* (element-type RaLabelItem): every item of the audit in review order,
 * with REVIEWER's state (NULL: whoever's). */
void             ra_database_list_items_async    (RaDatabase           *self,
                                                  gint64                audit_id,
                                                  const char           *reviewer,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
GPtrArray       *ra_database_list_items_finish   (RaDatabase           *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* Labelling as a team (ra-database-team.c; the rules are ra-resolve.h,
 * ra-labels.h and ra-queue.h). */

/* (element-type RaResolvedItem): the items whose reviewers disagree, in
 * review order, with every reviewer's verdict and note (the lead's view);
 * WITH_ADJUDICATED: the decided ones too. */
void             ra_database_list_disagreements_async  (RaDatabase     *self,
                                                        gint64          audit_id,
                                                        gboolean        with_adjudicated,
                                                        GCancellable   *cancellable,
                                                        GAsyncReadyCallback callback,
                                                        gpointer        user_data);
GPtrArray       *ra_database_list_disagreements_finish (RaDatabase     *self,
                                                        GAsyncResult   *result,
                                                        GError        **error);
/* REVIEWER (the lead) decides a disputed item; returns the event id. */
void             ra_database_adjudicate_async    (RaDatabase           *self,
                                                  gint64                audit_id,
                                                  gint64                turn_id,
                                                  const char           *reviewer,
                                                  RaLabelValue          value,
                                                  const char           *note,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
char            *ra_database_adjudicate_finish   (RaDatabase           *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
/* A note and flag of REVIEWER that never changes their verdict. */
void             ra_database_annotate_async      (RaDatabase           *self,
                                                  gint64                audit_id,
                                                  gint64                turn_id,
                                                  const char           *reviewer,
                                                  const char           *note,
                                                  gboolean              flagged,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
char            *ra_database_annotate_finish     (RaDatabase           *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
/* The audit's progress (resolved labels) and REVIEWER's (nullable): their
 * labels and what is left in their queue. */
void             ra_database_progress_async      (RaDatabase           *self,
                                                  gint64                audit_id,
                                                  const char           *reviewer,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
RaQueueProgress *ra_database_progress_finish     (RaDatabase           *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaSessionStep, ra_session_step_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaAuditInfo, ra_audit_info_free)

G_END_DECLS
