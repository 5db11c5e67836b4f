/* ra-labels.h — label events: record, annotate, adjudicate, undo, review order, export, import
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Labels are append-only events in label_events. Each event carries its
 * writer's full state of the item after it (value, note, flagged) plus who
 * wrote it, its kind, the seconds spent, when (RFC 3339 UTC with
 * microseconds) and a random UUID. Kinds:
 *   verdict       the reviewer's verdict (RA_LABEL_NONE clears it);
 *   annotation    a note or flag: the value is the writer's verdict copied
 *                 unchanged, so a note or flag never changes a verdict;
 *   adjudication  a lead's decision on a disputed item (ra-resolve.h).
 * A reviewer's current state of an item is their latest event that is not
 * an adjudication; "latest" is ORDER BY created_at DESC, event_id DESC.
 * Nobody's event changes another reviewer's state: how the reviewers'
 * verdicts resolve into the label that estimates use is ra-resolve.h.
 * The created_at of an item's events is kept strictly increasing, so two
 * events written within one microsecond still order as they were written.
 *
 * Undo writes a new event (with undoes = the undone event's id) restoring
 * the reviewer's own state of that item before the undone event (empty when
 * there was none; for an adjudication, their previous adjudication of it).
 * Nothing is ever updated or deleted.
 *
 * Label files (export / import), one event per JSONL line or CSV row, with
 * the fields: event_id, audit, ext_id, model, class (informative), reviewer,
 * value (null/empty or one of the three values), note, flagged, seconds,
 * created_at, undoes, kind (optional: verdict when absent).
 */

#pragma once

#include <gio/gio.h>

#include "ra-audit.h"
#include "ra-store.h"

G_BEGIN_DECLS

#define RA_LABELS_ERROR (ra_labels_error_quark ())

typedef enum
{
  RA_LABELS_ERROR_INVALID = 1,     /* a value, reviewer or note is not valid */
  RA_LABELS_ERROR_NOT_IN_AUDIT,    /* the turn is not one of the audit's items */
  RA_LABELS_ERROR_AMBIGUOUS,       /* the turn id names several items: give the model */
  RA_LABELS_ERROR_NOTHING_TO_UNDO, /* the reviewer has no event left to undo */
  RA_LABELS_ERROR_PARSE,           /* a label file is invalid (FILE:LINE messages) */
  RA_LABELS_ERROR_NOT_DISPUTED,    /* adjudication of an item whose verdicts do not disagree */
} RaLabelsError;

GQuark ra_labels_error_quark (void);

typedef enum
{
  RA_LABEL_NONE = 0,                 /* no label (cleared, or never labelled) */
  RA_LABEL_CORRECTLY_DECLINED,
  RA_LABEL_SHOULD_HAVE_ATTEMPTED,
  RA_LABEL_UNSURE,
} RaLabelValue;

/* Accepts the three value names (and NULL, "", "none" for RA_LABEL_NONE). */
gboolean     ra_label_value_parse        (const char    *text,
                                          RaLabelValue  *out);
/* NULL for RA_LABEL_NONE */
const char  *ra_label_value_to_string    (RaLabelValue   value);

typedef enum
{
  RA_LABEL_KIND_VERDICT = 0,
  RA_LABEL_KIND_ANNOTATION,
  RA_LABEL_KIND_ADJUDICATION,
} RaLabelKind;

/* "verdict", "annotation", "adjudication" (NULL or "" parse as verdict). */
gboolean     ra_label_kind_parse         (const char    *text,
                                          RaLabelKind   *out);
const char  *ra_label_kind_to_string     (RaLabelKind    kind);

/* A reviewer name: non-empty UTF-8 of at most 1024 bytes, not only white
 * space, no white space around it, no control characters. */
gboolean     ra_labels_check_reviewer    (const char    *reviewer,
                                          GError       **error);
/* A note (nullable): UTF-8 of at most 1 MiB, as a label event stores it. */
gboolean     ra_labels_check_note        (const char    *note,
                                          GError       **error);

/* Seconds spent on an item, as text (a file's cell, an option): a plain
 * decimal number (digits, sign, point, exponent; no "nan", "inf",
 * hexadecimal or spaces), finite, 0 or more. */
gboolean     ra_labels_parse_seconds     (const char    *text,
                                          double        *out,
                                          GError       **error);
/* The same bounds for a number read already (a JSON number). */
gboolean     ra_labels_check_seconds     (double         seconds,
                                          GError       **error);

/* The one parser of event times: an RFC 3339 time with a time zone, in the
 * years 1970 to 9998 (so that every stored time has a later one to follow
 * it). Returns: (transfer full): the stored form (UTC, microseconds), or
 * NULL with RA_LABELS_ERROR_INVALID. */
char        *ra_labels_parse_time        (const char    *text,
                                          GError       **error);

typedef struct
{
  char         *event_id;
  gint64        audit_id;
  gint64        turn_id;
  char         *ext_id;
  char         *model;
  char         *class;
  char         *reviewer;
  RaLabelValue  value;
  char         *note;         /* nullable */
  gboolean      flagged;
  double        seconds;      /* NAN when not recorded */
  char         *created_at;
  char         *undoes;       /* nullable: the event this one undoes */
  RaLabelKind   kind;
} RaLabelEvent;

void         ra_label_event_free         (RaLabelEvent  *event);

/**
 * ra_labels_record:
 * @seconds: time spent on the item; < 0 or NAN when unknown
 * @event_id: (out) (optional) (transfer full): the new event's id
 *
 * Appends one verdict event (REVIEWER's verdict, note and flag) and commits
 * it before returning. Fails with RA_LABELS_ERROR_NOT_IN_AUDIT when TURN_ID
 * is not one of the audit's items.
 */
gboolean     ra_labels_record            (RaStore       *store,
                                          gint64         audit_id,
                                          gint64         turn_id,
                                          const char    *reviewer,
                                          RaLabelValue   value,
                                          const char    *note,
                                          gboolean       flagged,
                                          double         seconds,
                                          char         **event_id,
                                          GError       **error);
/* A note and flag of REVIEWER on an item: an annotation event that keeps
 * REVIEWER's verdict (read in the same transaction). Commits. */
gboolean     ra_labels_annotate          (RaStore       *store,
                                          gint64         audit_id,
                                          gint64         turn_id,
                                          const char    *reviewer,
                                          const char    *note,
                                          gboolean       flagged,
                                          char         **event_id,
                                          GError       **error);
/* REVIEWER (the lead) decides a disputed item: an adjudication event with
 * VALUE (not RA_LABEL_NONE) and NOTE (nullable). RA_LABELS_ERROR_NOT_DISPUTED
 * when the reviewers' definite verdicts on it do not disagree. Commits. */
gboolean     ra_labels_adjudicate        (RaStore       *store,
                                          gint64         audit_id,
                                          gint64         turn_id,
                                          const char    *reviewer,
                                          RaLabelValue   value,
                                          const char    *note,
                                          char         **event_id,
                                          GError       **error);
/**
 * ra_labels_undo:
 *
 * Undoes REVIEWER's latest event in the audit that is not an undo and is
 * not undone yet (call again for more levels). Commits before returning.
 *
 * Returns: (transfer full): the new undo event (its turn and the restored
 *   state), or NULL with RA_LABELS_ERROR_NOTHING_TO_UNDO or another error
 */
RaLabelEvent *ra_labels_undo             (RaStore       *store,
                                          gint64         audit_id,
                                          const char    *reviewer,
                                          GError       **error);

/* The audit item with external id EXT_ID; MODEL (nullable) is needed only
 * when several items share the id (RA_LABELS_ERROR_AMBIGUOUS lists the
 * models). Not an item: RA_LABELS_ERROR_NOT_IN_AUDIT. */
gboolean     ra_labels_resolve_turn      (RaStore       *store,
                                          gint64         audit_id,
                                          const char    *ext_id,
                                          const char    *model,
                                          gint64        *turn_id,
                                          GError       **error);

/* One sampled item in review order, with REVIEWER's own state of it, or
 * (REVIEWER NULL) its resolved label (ra-resolve.h; RA_LABEL_NONE when it
 * is disputed or unlabelled). */
typedef struct
{
  gint64        turn_id;
  char         *ext_id;
  char         *model;
  char         *class;
  char         *stratum;
  gint64        sample_key;   /* stored form; review order is ascending */
  guint         position;     /* 1-based place in the review order (list only; 0 otherwise) */
  RaLabelValue  value;
  char         *note;
  gboolean      flagged;
  char         *reviewer;     /* who wrote the current state; NULL if never labelled */
  char         *labelled_at;
  char         *event_id;
  gboolean      disputed;     /* resolved state only (REVIEWER NULL) */
  guint         n_verdicts;   /* resolved state only: reviewers with a verdict */
} RaLabelItem;

void         ra_label_item_free          (RaLabelItem   *item);

/* (element-type RaLabelItem): every item, in review order */
GPtrArray   *ra_labels_list_items        (RaStore       *store,
                                          gint64         audit_id,
                                          const char    *reviewer,
                                          GError       **error);
/* REVIEWER's next item: the first item of their queue (ra-queue.h) after
 * AFTER (nullable: from the start), without wrapping around; or, REVIEWER
 * NULL, the first unlabelled item (resolved label) after AFTER in review
 * order. NULL without an error when there is none. */
RaLabelItem *ra_labels_next_unlabelled   (RaStore       *store,
                                          gint64         audit_id,
                                          const char    *reviewer,
                                          const RaLabelItem *after,
                                          GError       **error);
/* One item (state for REVIEWER, nullable). */
RaLabelItem *ra_labels_get_item          (RaStore       *store,
                                          gint64         audit_id,
                                          gint64         turn_id,
                                          const char    *reviewer,
                                          GError       **error);

/* The full content of one item, for the reviewer's screen. Callers decide
 * what to show: the model and detector fields are returned even when the
 * audit hides them (RaAudit.reveal_model / reveal_detector). */
typedef struct
{
  gint64        turn_id;
  char         *ext_id;
  char         *model;
  char         *class;
  char         *stratum;
  char         *ts;               /* nullable */
  char         *conversation_id;  /* nullable */
  char         *prompt;           /* nullable */
  char         *messages;         /* nullable: JSON array of {role, content} as stored */
  char         *response;
  int           declined;         /* the source flag: -1 unknown, 0, 1 */
  int           detector_verdict; /* -1 when not detected, else the verdict */
  char         *detector_rule;    /* nullable */
  char         *guideline;        /* the audit's guideline for the class, nullable */
  guint         position;         /* 1-based place in review order */
  guint         n_items;          /* items in the audit */
} RaItemContent;

void         ra_item_content_free        (RaItemContent *content);
RaItemContent *ra_labels_get_content     (RaStore       *store,
                                          gint64         audit_id,
                                          gint64         turn_id,
                                          GError       **error);
/* The context as plain text: the prompt, or "role: content" blocks of the
 * messages separated by blank lines. */
char        *ra_item_content_format_context (const RaItemContent *content);

/* (element-type RaLabelEvent): events of the audit (TURN_ID > 0: of one
 * item) in the order they were stored. */
GPtrArray   *ra_labels_list_events       (RaStore       *store,
                                          gint64         audit_id,
                                          gint64         turn_id,
                                          GError       **error);

/* The event with id EVENT_ID; NULL without an error when there is none. */
RaLabelEvent *ra_labels_get_event        (RaStore       *store,
                                          const char    *event_id,
                                          GError       **error);

/* An event as a JSON object, the fields of a label file line (AUDIT_NAME as
 * "audit"; "class" only WITH_CLASS). (transfer full) */
cJSON       *ra_label_event_to_json      (const RaLabelEvent *event,
                                          const char    *audit_name,
                                          gboolean       with_class);

typedef enum
{
  RA_LABELS_FORMAT_AUTO = 0,   /* import: JSONL when the first byte is '{', else CSV */
  RA_LABELS_FORMAT_JSONL,
  RA_LABELS_FORMAT_CSV,
} RaLabelsFormat;

gboolean     ra_labels_format_parse      (const char    *text,
                                          RaLabelsFormat *out);

/* Every event of the audit as JSONL or CSV (RFC 4180, header row). */
GBytes      *ra_labels_export            (RaStore       *store,
                                          gint64         audit_id,
                                          RaLabelsFormat format,
                                          GError       **error);

typedef struct
{
  guint64 events;     /* events read */
  guint64 added;      /* new events stored */
  guint64 present;    /* already in the store before this file (same event id and content) */
  guint64 repeated;   /* an identical copy of an event earlier in the same file */
} RaLabelsImportResult;

/* Imports a label file, all or nothing (one write transaction, which holds
 * the write lock for the inserts only: the file is read and checked
 * before, in a read transaction): idempotent by event id; an event for a
 * turn outside its audit, an unknown audit, an event id already stored
 * with other content (also by someone else while the file was checked),
 * and invalid lines are errors (RA_LABELS_ERROR_PARSE, "NAME:LINE: problem"
 * messages by line, at most 20). */
gboolean     ra_labels_import_data       (RaStore       *store,
                                          const char    *display_name,
                                          const char    *data,
                                          gsize          length,
                                          RaLabelsFormat format,
                                          RaLabelsImportResult *result,
                                          GError       **error);
/* The same for a file (G_IO_ERROR when it cannot be read). */
gboolean     ra_labels_import_file       (RaStore       *store,
                                          const char    *path,
                                          RaLabelsFormat format,
                                          RaLabelsImportResult *result,
                                          GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaLabelEvent, ra_label_event_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaLabelItem, ra_label_item_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaItemContent, ra_item_content_free)

G_END_DECLS
