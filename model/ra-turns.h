/* ra-turns.h — what the store holds: batches, their turns, their values
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One place answers "which batches are there" (in one order: import time,
 * then id, each with its turn and decline counts), "is there a batch of that
 * name" (with one error, RA_STORE_ERROR_NOT_FOUND, that names the batch and
 * the batches the store has), and "which classes, models and batch names
 * can a filter take". The command line (batches, summary, detect, audit
 * create) and the workbench (RaDatabase) both call these.
 */

#pragma once

#include <gio/gio.h>

#include "ra-store.h"

G_BEGIN_DECLS

/* One batch with its provenance and counts. */
typedef struct
{
  gint64   id;
  char    *name;
  char    *source;
  char    *sha256;
  char    *imported_at;
  gint64   n_imported;
  gint64   n_duplicates;
  gint64   n_rejected;
  gint64   n_turns;      /* turns of the batch in the store now */
  gint64   n_declined;   /* of them, declined by the production flag */
  gint64   n_flagged;    /* of them, with a production flag at all */
} RaBatch;

void          ra_batch_free              (RaBatch      *batch);

/* (element-type RaBatch): every batch, by import time then id. */
GPtrArray    *ra_turns_list_batches      (RaStore      *store,
                                          GError      **error);
/* The id of the batch NAME, or -1 with RA_STORE_ERROR_NOT_FOUND. */
gint64        ra_turns_batch_id          (RaStore      *store,
                                          const char   *name,
                                          GError      **error);
/* TRUE when every name of NAMES (NULL: none) is a batch of the store. */
gboolean      ra_turns_check_batches     (RaStore      *store,
                                          char        **names,
                                          GError      **error);
/* As ra_turns_check_batches() for one NAME (NULL: no filter, TRUE). */
gboolean      ra_turns_check_batch       (RaStore      *store,
                                          const char   *name,
                                          GError      **error);

/* The distinct classes and models of the turns, and the batch names (in
 * the order of ra_turns_list_batches()): what the filters can take. */
typedef struct
{
  char **classes;
  char **models;
  char **batches;
} RaStoreValues;

void           ra_store_values_free      (RaStoreValues *values);
RaStoreValues *ra_turns_values           (RaStore      *store,
                                          GError      **error);

/* How much the store holds. */
typedef struct
{
  char   *path;
  gint64  n_batches;
  gint64  n_turns;
  gint64  n_audits;
  gint64  n_labels;
} RaStoreOverview;

void             ra_store_overview_free  (RaStoreOverview *overview);
RaStoreOverview *ra_turns_overview       (RaStore      *store,
                                          GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaBatch, ra_batch_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaStoreValues, ra_store_values_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaStoreOverview, ra_store_overview_free)

G_END_DECLS
