/* ra-labels-private.h — what the label modules share inside the model
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ra-labels.h"
#include "ra-store-private.h"

G_BEGIN_DECLS

#define MAX_SHORT 1024
#define MAX_NOTE (1024 * 1024)

#define RA_LABEL_EVENT_COLUMNS \
  "SELECT e.event_id, e.audit_id, e.turn_id, t.ext_id, t.model, t.class, e.reviewer, e.value," \
  " e.note, e.flagged, e.seconds, e.created_at, e.undoes, e.kind" \
  " FROM label_events e JOIN turns t ON t.id = e.turn_id "

RaLabelValue  _ra_label_column_value  (sqlite3_stmt *stmt,
                                       int           col);
RaLabelKind   _ra_label_column_kind   (sqlite3_stmt *stmt,
                                       int           col);
RaLabelEvent *_ra_label_event_from_row (sqlite3_stmt *stmt);
gboolean      _ra_labels_check_text   (const char   *text,
                                       const char   *what,
                                       gsize         max,
                                       gboolean      required,
                                       GError      **error);
gboolean      _ra_labels_item_in_audit (RaStore     *store,
                                       gint64        audit_id,
                                       gint64        turn_id,
                                       GError      **error);

/* One row of label_events, as stored. */
typedef struct
{
  const char   *event_id;
  gint64        audit_id;
  gint64        turn_id;
  const char   *reviewer;
  RaLabelKind   kind;
  RaLabelValue  value;
  const char   *note;        /* "" is stored as none */
  gboolean      flagged;
  double        seconds;     /* < 0 or NAN: unknown */
  const char   *created_at;
  const char   *undoes;      /* nullable */
} RaLabelRow;

/* The one writer of label_events. STMT: from _ra_labels_prepare_insert()
 * (imports prepare it once), or NULL to prepare it here. */
sqlite3_stmt *_ra_labels_prepare_insert (RaStore   *store,
                                       GError   **error);
gboolean      _ra_labels_insert       (RaStore          *store,
                                       sqlite3_stmt     *stmt,
                                       const RaLabelRow *row,
                                       GError          **error);

/* Tests only: HOOK runs at the end of a label import's read transaction,
 * before its write transaction (ra-label-files.c). */
void          _ra_labels_import_set_hook (void     (*hook) (gpointer data),
                                          gpointer   data);

G_END_DECLS
