/* ra-session-page-private.h — what the session page's files share
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * ra-session-page.c loads and shows items and owns the page's state;
 * ra-session-keys.c turns keys and actions into store steps (queued while
 * the store is busy) and keeps the focus on the item.
 */

#pragma once

#include <adwaita.h>

#include "ra-item-clock.h"
#include "ra-key-queue.h"
#include "ra-long-text.h"
#include "ra-session-page.h"
#include "ra-window.h"

G_BEGIN_DECLS

/* Keys pressed while the store is busy wait, in order. Past this many
 * the page says it refuses more (a held-down key), never silently. */
#define MAX_QUEUED     32

struct _RaSessionPage
{
  GtkWidget       parent_instance;

  /* Template widgets */
  GtkStack       *stack;
  GtkSpinner     *spinner;
  GtkWidget      *item_box;
  GtkWidget      *waiting_box;
  GtkSpinner     *waiting_spinner;
  GtkLabel       *waiting_label;
  AdwStatusPage  *finished_page;
  GtkWidget      *results_button;
  GtkWidget      *first_button;
  GtkWidget      *audits_button;
  GtkSearchBar   *search_bar;
  GtkSearchEntry *search_entry;
  GtkLabel       *class_label;
  GtkLabel       *reveal_label;
  GtkLabel       *state_label;
  GtkMenuButton  *strata_button;
  GtkGrid        *strata_grid;
  GtkLabel       *progress_label;
  GtkProgressBar *progress_bar;
  GtkToggleButton *guideline_toggle;
  AdwFlap        *flap;
  GtkTextView    *context_view;
  GtkTextView    *response_view;
  GtkButton      *show_all_button;
  GtkLabel       *guideline_title;
  GtkTextView    *guideline_view;
  GtkBox         *note_box;
  GtkEntry       *note_entry;
  GtkToggleButton *flag_button;

  /* Owned references */
  RaDatabase     *database;
  RaAuditInfo    *audit;
  GPtrArray      *items;         /* RaLabelItem *, review order */
  GHashTable     *positions;     /* turn id -> index + 1 in items */
  RaLabelItem    *item;          /* the item shown */
  RaItemContent  *content;
  char           *audit_name;
  char           *progress_text;
  char           *guideline_shown; /* what guideline_view holds */
  RaLongText      response;      /* the response, long ones in parts */
  GCancellable   *cancellable;
  GSettings      *settings;      /* show-guideline */

  GtkLabel       *saved_label;   /* what became of the last label: saved, undone */
  RaKeyQueue     *queue;         /* pressed while busy */
  GtkWindow      *watched_window;/* whose is-active pauses the clock */
  gulong          active_handler;

  /* Seconds per item count only while the item is on screen, the session
   * is the page shown, the window has the focus and no save is under way. */
  RaItemClock     clock;
  gint64          goto_turn;     /* asked for before the audit was loaded */

  /* The write under way, sent again while another program holds the
   * store's write lock past the store's timeout: a label is never dropped
   * for waiting. */
  struct {
    guint         kind;          /* RA_RESEND_NONE, _LABEL, _UNDO */
    gint64        turn_id;
    RaLabelValue  value;
    char         *note;
    gboolean      flagged;
    double        seconds;
    gboolean      then_next;
  } resend;
  gint64          busy_since;    /* monotonic µs */
  guint           slow_source;   /* ticks while a step takes long */
  guint           busy : 1;
  guint           lead : 1;
};

enum { RA_RESEND_NONE, RA_RESEND_LABEL, RA_RESEND_UNDO };

/* ra-session-page.c */
RaWindow   *_ra_session_page_get_window      (RaSessionPage *self);
const char *_ra_session_page_get_reviewer    (RaSessionPage *self);
void        _ra_session_page_show_error      (RaSessionPage *self,
                                              const char    *heading,
                                              const GError  *error);
void        _ra_session_page_set_busy        (RaSessionPage *self,
                                              gboolean       busy);
void        _ra_session_page_update_waiting  (RaSessionPage *self);
void        _ra_session_page_load_item       (RaSessionPage *self,
                                              gint64         turn_id,
                                              gint64         after_turn_id);
gboolean    _ra_session_page_ensure_reviewer (RaSessionPage *self);
void        _ra_session_page_step_cb         (GObject       *object,
                                              GAsyncResult  *result,
                                              gpointer       user_data);

/* ra-session-keys.c */
void        _ra_session_keys_class_init      (GtkWidgetClass *widget_class);
void        _ra_session_keys_init            (RaSessionPage  *self);
void        _ra_session_keys_run_queue       (RaSessionPage  *self);
guint       _ra_session_keys_drop_queue      (RaSessionPage  *self);
void        _ra_session_keys_focus_item      (RaSessionPage  *self);
gboolean    _ra_session_keys_resend          (RaSessionPage  *self);
void        _ra_session_keys_take_focus      (RaSessionPage  *self);
gboolean    _ra_session_keys_note_unsaved    (RaSessionPage  *self);
void        _ra_session_keys_save_unsaved_note (RaSessionPage *self);

G_END_DECLS
