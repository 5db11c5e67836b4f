/* ra-choice-rows.h — pickers made of preferences rows: one of several
 * explained options, or any of the values the store holds
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every option is a row of its own whose title and explanation wrap: a
 * label is shown in full, never ellipsized inside a combo button.
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

typedef struct
{
  const char *title;        /* translated */
  const char *explanation;  /* translated, nullable */
} RaChoice;

/* Adds one radio row per choice to GROUP, the first selected. CHANGED runs
 * (swapped: with DATA) when the selection changes. */
void    ra_radio_rows_add          (AdwPreferencesGroup *group,
                                    const RaChoice      *choices,
                                    guint                n_choices,
                                    GCallback            changed,
                                    gpointer             data);
guint   ra_radio_rows_get_selected (AdwPreferencesGroup *group);
void    ra_radio_rows_set_selected (AdwPreferencesGroup *group,
                                    guint                index);

/* An expander row listing VALUES with a check box each; none ticked means
 * every value. The subtitle says what is taken, in full. CHANGED runs
 * (swapped: with DATA) when a box is ticked or cleared. */
void    ra_value_rows_set_values   (AdwExpanderRow      *row,
                                    const char * const  *values,
                                    const char          *noun_plural,
                                    GCallback            changed,
                                    gpointer             data);
/* The ticked values, NULL when none is (every value). */
char  **ra_value_rows_get_selected (AdwExpanderRow      *row);
/* How many values are listed. */
guint   ra_value_rows_get_n_values (AdwExpanderRow      *row);
/* Ticks exactly the VALUES that are listed; returns how many were. */
guint   ra_value_rows_set_selected (AdwExpanderRow      *row,
                                    const char * const  *values);

G_END_DECLS
