/* ra-browse-page.c — the items of an audit in a filterable column view
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The rows stay compact RaLabelItem structs; the GObject for a row is made
 * only when the view asks for it (ItemList.get_item), so an audit of tens
 * of thousands of items costs no more than the structs.
 */

#define G_LOG_DOMAIN "ra-browse-page"

#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>

#include "ra-browse-page.h"
#include "ra-long-text.h"
#include "ra-window.h"

/* RaBrowseItem: a row object that borrows its struct from the array. */
struct _RaBrowseItem
{
  GObject      parent_instance;
  GPtrArray   *items;   /* owned reference keeps the struct alive */
  RaLabelItem *item;
};

G_DEFINE_FINAL_TYPE (RaBrowseItem, ra_browse_item, G_TYPE_OBJECT)

static void
ra_browse_item_finalize (GObject *object)
{
  RaBrowseItem *self = (RaBrowseItem *)object;

  g_clear_pointer (&self->items, g_ptr_array_unref);
  G_OBJECT_CLASS (ra_browse_item_parent_class)->finalize (object);
}

static void
ra_browse_item_class_init (RaBrowseItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ra_browse_item_finalize;
}

static void
ra_browse_item_init (RaBrowseItem *self)
{
}

const RaLabelItem *
ra_browse_item_get_item (RaBrowseItem *self)
{
  g_return_val_if_fail (RA_IS_BROWSE_ITEM (self), NULL);
  return self->item;
}

/* ItemList: a lazy GListModel over the array. */
#define ITEM_TYPE_LIST (item_list_get_type ())
G_DECLARE_FINAL_TYPE (ItemList, item_list, ITEM, LIST, GObject)

struct _ItemList
{
  GObject    parent_instance;
  GPtrArray *items;
};

static GType
item_list_get_item_type (GListModel *model)
{
  return RA_TYPE_BROWSE_ITEM;
}

static guint
item_list_get_n_items (GListModel *model)
{
  ItemList *self = ITEM_LIST (model);

  return self->items ? self->items->len : 0;
}

static gpointer
item_list_get_item (GListModel *model,
                    guint       position)
{
  ItemList *self = ITEM_LIST (model);
  RaBrowseItem *item;

  if (self->items == NULL || position >= self->items->len)
    return NULL;

  item = g_object_new (RA_TYPE_BROWSE_ITEM, NULL);
  item->items = g_ptr_array_ref (self->items);
  item->item = g_ptr_array_index (self->items, position);
  return item;
}

static void
item_list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = item_list_get_item_type;
  iface->get_n_items = item_list_get_n_items;
  iface->get_item = item_list_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (ItemList, item_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, item_list_model_iface_init))

static void
item_list_finalize (GObject *object)
{
  ItemList *self = ITEM_LIST (object);

  g_clear_pointer (&self->items, g_ptr_array_unref);
  G_OBJECT_CLASS (item_list_parent_class)->finalize (object);
}

static void
item_list_class_init (ItemListClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = item_list_finalize;
}

static void
item_list_init (ItemList *self)
{
}

static void
item_list_set_items (ItemList  *self,
                     GPtrArray *items)
{
  guint old = self->items ? self->items->len : 0;

  g_clear_pointer (&self->items, g_ptr_array_unref);
  self->items = items ? g_ptr_array_ref (items) : NULL;
  g_list_model_items_changed (G_LIST_MODEL (self), 0, old, self->items ? self->items->len : 0);
}

struct _RaBrowsePage
{
  GtkWidget       parent_instance;

  /* Template widgets */
  GtkStack       *stack;
  GtkSearchEntry *search_entry;
  GtkDropDown    *class_dropdown;
  GtkDropDown    *label_dropdown;
  GtkToggleButton *flag_toggle;
  GtkToggleButton *note_toggle;
  GtkColumnView  *column_view;
  GtkLabel       *count_label;

  /* Owned references */
  RaDatabase     *database;
  ItemList       *list;
  GtkFilterListModel *filter_model;
  GtkCustomFilter *filter;
  GtkStringList  *classes;
  char           *audit;
  gint64          audit_id;
  GCancellable   *cancellable;
};

G_DEFINE_FINAL_TYPE (RaBrowsePage, ra_browse_page, GTK_TYPE_WIDGET)

static gboolean
filter_func (gpointer object,
             gpointer user_data)
{
  RaBrowsePage *self = user_data;
  const RaLabelItem *item = RA_BROWSE_ITEM (object)->item;
  const char *needle = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  guint class_index = gtk_drop_down_get_selected (self->class_dropdown);
  guint label_index = gtk_drop_down_get_selected (self->label_dropdown);

  if (class_index > 0 && class_index != GTK_INVALID_LIST_POSITION &&
      g_strcmp0 (gtk_string_list_get_string (self->classes, class_index), item->class) != 0)
    return FALSE;

  switch (label_index)
    {
    case 1: if (item->value != RA_LABEL_NONE) return FALSE; break;
    case 2: if (item->value != RA_LABEL_CORRECTLY_DECLINED) return FALSE; break;
    case 3: if (item->value != RA_LABEL_SHOULD_HAVE_ATTEMPTED) return FALSE; break;
    case 4: if (item->value != RA_LABEL_UNSURE) return FALSE; break;
    default: break;
    }

  if (gtk_toggle_button_get_active (self->flag_toggle) && !item->flagged)
    return FALSE;
  if (gtk_toggle_button_get_active (self->note_toggle) && (item->note == NULL || item->note[0] == '\0'))
    return FALSE;

  if (needle[0] != '\0')
    {
      g_autofree char *folded = g_utf8_casefold (needle, -1);
      const char *fields[] = { item->ext_id, item->class, item->note, item->stratum };

      for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
        {
          g_autofree char *hay = fields[i] ? g_utf8_casefold (fields[i], -1) : NULL;

          if (hay != NULL && strstr (hay, folded) != NULL)
            return TRUE;
        }
      return FALSE;
    }

  return TRUE;
}

static void
update_count (RaBrowsePage *self)
{
  g_autofree char *text = g_strdup_printf (_("%u of %u items"),
                                           g_list_model_get_n_items (G_LIST_MODEL (self->filter_model)),
                                           g_list_model_get_n_items (G_LIST_MODEL (self->list)));
  gtk_label_set_text (self->count_label, text);
}

static void
filter_changed_cb (RaBrowsePage *self)
{
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_count (self);
}

static void
activate_cb (RaBrowsePage *self,
             guint         position)
{
  g_autoptr(RaBrowseItem) item = g_list_model_get_item (G_LIST_MODEL (self->filter_model), position);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (item != NULL && RA_IS_WINDOW (root) && self->audit != NULL)
    ra_window_open_audit (RA_WINDOW (root), self->audit, item->item->turn_id);
}

static const char *
value_text (RaLabelValue value)
{
  switch (value)
    {
    case RA_LABEL_CORRECTLY_DECLINED: return _("Correctly declined");
    case RA_LABEL_SHOULD_HAVE_ATTEMPTED: return _("Should have attempted");
    case RA_LABEL_UNSURE: return _("Unsure");
    case RA_LABEL_NONE:
    default: return "—";
    }
}

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *list_item,
          gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_use_markup (GTK_LABEL (label), FALSE);
  gtk_list_item_set_child (list_item, label);
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *list_item,
         gpointer                  user_data)
{
  guint column = GPOINTER_TO_UINT (user_data);
  RaBrowseItem *object = gtk_list_item_get_item (list_item);
  const RaLabelItem *item = object->item;
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (list_item));
  g_autofree char *text = NULL;

  switch (column)
    {
    case 0: text = g_strdup_printf ("%u", item->position); break;
    case 1: text = g_strdup (item->ext_id); break;
    case 2: text = g_strdup (item->class); break;
    case 3: text = g_strdup (item->model && item->model[0] ? item->model : "—"); break;
    case 4: text = g_strdup (item->disputed ? _("Disputed") : value_text (item->value)); break;
    case 5: text = g_strdup (item->flagged ? _("Flagged") : ""); break;
    case 6: text = ra_text_mark_hidden (item->note); break;
    default:
      /* Who decided: one reviewer, or how many gave a verdict. */
      if (item->reviewer != NULL)
        text = g_strdup (item->reviewer);
      else if (item->n_verdicts > 0)
        text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u reviewer", "%u reviewers", item->n_verdicts),
                                item->n_verdicts);
      else
        text = g_strdup ("");
      break;
    }

  /* Production text: a single line in the list, shown literally. */
  g_strdelimit (text, "\n\r\t", ' ');
  gtk_label_set_text (label, text);
}

static void
add_column (RaBrowsePage *self,
            const char   *title,
            guint         column,
            gboolean      expand)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkColumnViewColumn) col = NULL;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), GUINT_TO_POINTER (column));
  col = gtk_column_view_column_new (title, g_object_ref (factory));
  gtk_column_view_column_set_expand (col, expand);
  gtk_column_view_column_set_resizable (col, TRUE);
  gtk_column_view_append_column (self->column_view, col);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

static void
list_items_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(RaBrowsePage) self = user_data;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) classes = g_ptr_array_new ();

  if (!(items = ra_database_list_items_finish (RA_DATABASE (object), result, &error)))
    {
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

      if (RA_IS_WINDOW (root))
        ra_window_show_error (RA_WINDOW (root), _("Cannot List the Items"), error);
      return;
    }

  for (guint i = 0; i < items->len; i++)
    {
      RaLabelItem *item = g_ptr_array_index (items, i);

      if (item->class != NULL && g_hash_table_add (seen, item->class))
        g_ptr_array_add (classes, item->class);
    }
  g_ptr_array_sort (classes, compare_strings);

  gtk_string_list_splice (self->classes, 1,
                          g_list_model_get_n_items (G_LIST_MODEL (self->classes)) - 1, NULL);
  for (guint i = 0; i < classes->len; i++)
    gtk_string_list_append (self->classes, g_ptr_array_index (classes, i));

  item_list_set_items (self->list, items);
  update_count (self);
  gtk_stack_set_visible_child_name (self->stack, "list");
}

static void
audit_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(RaBrowsePage) self = user_data;
  g_autoptr(RaAuditInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  if (!(info = ra_database_get_audit_finish (RA_DATABASE (object), result, &error)))
    return;

  self->audit_id = info->audit->id;
  /* Whoever labelled: the browse list is the quality lead's view. */
  ra_database_list_items_async (self->database, self->audit_id, NULL, self->cancellable,
                                list_items_cb, g_object_ref (self));
}

void
ra_browse_page_reload (RaBrowsePage *self)
{
  g_return_if_fail (RA_IS_BROWSE_PAGE (self));

  if (self->database == NULL || self->audit == NULL)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  ra_database_get_audit_async (self->database, self->audit, self->cancellable,
                               audit_cb, g_object_ref (self));
}

void
ra_browse_page_set_audit (RaBrowsePage *self,
                          const char   *audit)
{
  char *copy;

  g_return_if_fail (RA_IS_BROWSE_PAGE (self));

  /* Copy before freeing: AUDIT may be self->audit itself. */
  copy = g_strdup (audit);
  g_free (self->audit);
  self->audit = copy;
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    ra_browse_page_reload (self);
}

void
ra_browse_page_set_database (RaBrowsePage *self,
                             RaDatabase   *database)
{
  g_return_if_fail (RA_IS_BROWSE_PAGE (self));

  if (!g_set_object (&self->database, database))
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_pointer (&self->audit, g_free);
  item_list_set_items (self->list, NULL);
  gtk_stack_set_visible_child_name (self->stack, "empty");
}

guint
ra_browse_page_get_n_shown (RaBrowsePage *self)
{
  g_return_val_if_fail (RA_IS_BROWSE_PAGE (self), 0);
  return g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));
}

static void
ra_browse_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (ra_browse_page_parent_class)->map (widget);
  ra_browse_page_reload (RA_BROWSE_PAGE (widget));
}

static void
ra_browse_page_dispose (GObject *object)
{
  RaBrowsePage *self = (RaBrowsePage *)object;

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), RA_TYPE_BROWSE_PAGE);
  g_clear_object (&self->database);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->list);
  g_clear_object (&self->filter_model);
  g_clear_object (&self->classes);

  G_OBJECT_CLASS (ra_browse_page_parent_class)->dispose (object);
}

static void
ra_browse_page_finalize (GObject *object)
{
  RaBrowsePage *self = (RaBrowsePage *)object;

  g_clear_pointer (&self->audit, g_free);
  G_OBJECT_CLASS (ra_browse_page_parent_class)->finalize (object);
}

static void
ra_browse_page_class_init (RaBrowsePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ra_browse_page_dispose;
  object_class->finalize = ra_browse_page_finalize;
  widget_class->map = ra_browse_page_map;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/ra-browse-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RaBrowsePage, stack);
  gtk_widget_class_bind_template_child (widget_class, RaBrowsePage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, RaBrowsePage, class_dropdown);
  gtk_widget_class_bind_template_child (widget_class, RaBrowsePage, label_dropdown);
  gtk_widget_class_bind_template_child (widget_class, RaBrowsePage, flag_toggle);
  gtk_widget_class_bind_template_child (widget_class, RaBrowsePage, note_toggle);
  gtk_widget_class_bind_template_child (widget_class, RaBrowsePage, column_view);
  gtk_widget_class_bind_template_child (widget_class, RaBrowsePage, count_label);
  gtk_widget_class_bind_template_callback (widget_class, filter_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, activate_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static gboolean
find_shortcut_cb (GtkWidget *widget,
                  GVariant  *args,
                  gpointer   data)
{
  RaBrowsePage *self = RA_BROWSE_PAGE (widget);

  if (!gtk_widget_get_mapped (widget))
    return FALSE;
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  return TRUE;
}

static void
ra_browse_page_init (RaBrowsePage *self)
{
  GtkSingleSelection *selection;

  self->classes = gtk_string_list_new ((const char *[]) { _("Any class"), NULL });
  self->list = g_object_new (ITEM_TYPE_LIST, NULL);
  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->filter_model = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->list)),
                                                  GTK_FILTER (self->filter));
  gtk_filter_list_model_set_incremental (self->filter_model, TRUE);

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_drop_down_set_model (self->class_dropdown, G_LIST_MODEL (self->classes));
  selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->filter_model)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);
  g_signal_connect_object (self->filter_model, "items-changed", G_CALLBACK (update_count),
                           self, G_CONNECT_SWAPPED);

  add_column (self, _("#"), 0, FALSE);
  add_column (self, _("Id"), 1, FALSE);
  /* Class and model in their own columns, never one cut string. */
  add_column (self, _("Class"), 2, FALSE);
  add_column (self, _("Model"), 3, FALSE);
  add_column (self, _("Label"), 4, FALSE);
  add_column (self, _("Flag"), 5, FALSE);
  add_column (self, _("Note"), 6, TRUE);
  add_column (self, _("Verdicts"), 7, FALSE);

  /* Ctrl+F filters, as it finds in the session: it did nothing here. */
  {
    GtkEventController *controller = gtk_shortcut_controller_new ();

    gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (controller), GTK_SHORTCUT_SCOPE_GLOBAL);
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                          gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("<Control>f"),
                                                            gtk_callback_action_new (find_shortcut_cb, NULL, NULL)));
    gtk_widget_add_controller (GTK_WIDGET (self), controller);
  }
}
