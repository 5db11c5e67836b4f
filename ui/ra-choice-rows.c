/* ra-choice-rows.c — pickers made of preferences rows
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "ra-choice-rows.h"

#define RADIOS_KEY "ra-radio-buttons"
#define VALUES_KEY "ra-value-rows"

typedef struct
{
  GPtrArray *rows;     /* AdwActionRow *, borrowed (the expander owns them) */
  GPtrArray *checks;   /* GtkCheckButton *, borrowed */
  GPtrArray *values;   /* char * */
  char      *noun;     /* "classes" */
  GCallback  changed;
  gpointer   data;
  gboolean   filling;
} ValueRows;

static void
value_rows_free (gpointer data)
{
  ValueRows *v = data;

  g_ptr_array_unref (v->rows);
  g_ptr_array_unref (v->checks);
  g_ptr_array_unref (v->values);
  g_free (v->noun);
  g_free (v);
}

void
ra_radio_rows_add (AdwPreferencesGroup *group,
                   const RaChoice      *choices,
                   guint                n_choices,
                   GCallback            changed,
                   gpointer             data)
{
  GPtrArray *buttons = g_ptr_array_new ();
  GtkCheckButton *first = NULL;

  for (guint i = 0; i < n_choices; i++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), choices[i].title);
      if (choices[i].explanation != NULL)
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), choices[i].explanation);
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      if (first != NULL)
        gtk_check_button_set_group (GTK_CHECK_BUTTON (check), first);
      else
        first = GTK_CHECK_BUTTON (check);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), i == 0);
      gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      choices[i].title, -1);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      if (changed != NULL)
        g_signal_connect_swapped (check, "toggled", changed, data);
      adw_preferences_group_add (group, row);
      g_ptr_array_add (buttons, check);
    }
  g_object_set_data_full (G_OBJECT (group), RADIOS_KEY, buttons, (GDestroyNotify) g_ptr_array_unref);
}

guint
ra_radio_rows_get_selected (AdwPreferencesGroup *group)
{
  GPtrArray *buttons = g_object_get_data (G_OBJECT (group), RADIOS_KEY);

  for (guint i = 0; buttons != NULL && i < buttons->len; i++)
    if (gtk_check_button_get_active (g_ptr_array_index (buttons, i)))
      return i;
  return 0;
}

void
ra_radio_rows_set_selected (AdwPreferencesGroup *group,
                            guint                index)
{
  GPtrArray *buttons = g_object_get_data (G_OBJECT (group), RADIOS_KEY);

  g_return_if_fail (buttons != NULL && index < buttons->len);
  gtk_check_button_set_active (g_ptr_array_index (buttons, index), TRUE);
}

static void
update_subtitle (AdwExpanderRow *row,
                 ValueRows      *v)
{
  g_autoptr(GString) text = g_string_new (NULL);
  guint n = 0;

  for (guint i = 0; i < v->checks->len; i++)
    if (gtk_check_button_get_active (g_ptr_array_index (v->checks, i)))
      {
        if (n++ > 0)
          g_string_append (text, ", ");
        g_string_append (text, g_ptr_array_index (v->values, i));
      }

  if (v->values->len == 0)
    g_string_printf (text, _("The store has no %s yet"), v->noun);
  else if (n == 0)
    {
      if (v->values->len == 1)
        g_string_printf (text, _("None ticked: the only one, %s, is taken"),
                         (const char *) g_ptr_array_index (v->values, 0));
      else
        g_string_printf (text, _("None ticked: all %u are taken; tick some to narrow"), v->values->len);
    }
  adw_expander_row_set_subtitle (row, text->str);
}

static void
value_toggled_cb (GtkCheckButton *check,
                  AdwExpanderRow *row)
{
  ValueRows *v = g_object_get_data (G_OBJECT (row), VALUES_KEY);

  if (v == NULL)
    return;
  update_subtitle (row, v);
  if (!v->filling && v->changed != NULL)
    ((void (*) (gpointer)) v->changed) (v->data);
}

void
ra_value_rows_set_values (AdwExpanderRow     *row,
                          const char * const *values,
                          const char         *noun_plural,
                          GCallback           changed,
                          gpointer            data)
{
  ValueRows *old = g_object_get_data (G_OBJECT (row), VALUES_KEY);
  g_auto(GStrv) kept = NULL;
  ValueRows *v;

  /* What was ticked stays ticked when the values are listed again. */
  if (old != NULL)
    {
      kept = ra_value_rows_get_selected (row);
      for (guint i = 0; i < old->rows->len; i++)
        adw_expander_row_remove (row, g_ptr_array_index (old->rows, i));
    }

  v = g_new0 (ValueRows, 1);
  v->rows = g_ptr_array_new ();
  v->checks = g_ptr_array_new ();
  v->values = g_ptr_array_new_with_free_func (g_free);
  v->noun = g_strdup (noun_plural);
  v->changed = changed;
  v->data = data;
  g_object_set_data_full (G_OBJECT (row), VALUES_KEY, v, value_rows_free);

  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    {
      GtkWidget *child = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();

      /* Data: never markup, and in full (the title wraps). */
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (child), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (child), values[i]);
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL, values[i], -1);
      adw_action_row_add_prefix (ADW_ACTION_ROW (child), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (child), check);
      g_signal_connect_object (check, "toggled", G_CALLBACK (value_toggled_cb), row, 0);
      adw_expander_row_add_row (row, child);
      g_ptr_array_add (v->rows, child);
      g_ptr_array_add (v->checks, check);
      g_ptr_array_add (v->values, g_strdup (values[i]));
    }

  v->filling = TRUE;
  if (kept != NULL)
    ra_value_rows_set_selected (row, (const char * const *) kept);
  v->filling = FALSE;
  update_subtitle (row, v);
}

char **
ra_value_rows_get_selected (AdwExpanderRow *row)
{
  ValueRows *v = g_object_get_data (G_OBJECT (row), VALUES_KEY);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint n = 0;

  for (guint i = 0; v != NULL && i < v->checks->len; i++)
    if (gtk_check_button_get_active (g_ptr_array_index (v->checks, i)))
      {
        g_strv_builder_add (builder, g_ptr_array_index (v->values, i));
        n++;
      }
  return n > 0 ? g_strv_builder_end (builder) : NULL;
}

guint
ra_value_rows_get_n_values (AdwExpanderRow *row)
{
  ValueRows *v = g_object_get_data (G_OBJECT (row), VALUES_KEY);

  return v != NULL ? v->values->len : 0;
}

guint
ra_value_rows_set_selected (AdwExpanderRow     *row,
                            const char * const *values)
{
  ValueRows *v = g_object_get_data (G_OBJECT (row), VALUES_KEY);
  gboolean filling;
  guint n = 0;

  if (v == NULL)
    return 0;
  filling = v->filling;
  v->filling = TRUE;
  for (guint i = 0; i < v->checks->len; i++)
    {
      gboolean on = values != NULL && g_strv_contains (values, g_ptr_array_index (v->values, i));

      gtk_check_button_set_active (g_ptr_array_index (v->checks, i), on);
      n += on;
    }
  v->filling = filling;
  update_subtitle (row, v);
  if (!filling && v->changed != NULL)
    ((void (*) (gpointer)) v->changed) (v->data);
  return n;
}
