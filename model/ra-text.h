/* ra-text.h — production text shown on a terminal, and text tables
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every table the tool prints (the command line's and the text report's)
 * is an RaTable: each cell goes through ra_text_for_terminal(), so no
 * production text (class, model, batch, reviewer names) can move the cursor,
 * recolour the terminal or break a row.
 */

#pragma once

#include <glib.h>
#include <stdio.h>

G_BEGIN_DECLS

char *ra_text_for_terminal (const char *text,
                            gboolean    one_line);

/* The terminal columns TEXT takes (wide characters count two, combining
 * marks none). */
glong ra_text_display_width (const char *text);

/* A plain text table with columns aligned by display width, two spaces
 * between columns, no trailing spaces. Columns are left-aligned unless set
 * right-aligned. Every cell, header included, is escaped for a terminal. */
typedef struct _RaTable RaTable;

RaTable  *ra_table_new               (guint          n_columns,
                                      ...) G_GNUC_NULL_TERMINATED;
RaTable  *ra_table_new_v             (guint          n_columns,
                                      const char * const *header);
void      ra_table_add_row           (RaTable       *table,
                                      ...) G_GNUC_NULL_TERMINATED;
void      ra_table_add_rowv          (RaTable       *table,
                                      const char   **cells);
/* As ra_table_add_rowv(), and frees the N_COLUMNS CELLS (not the array). */
void      ra_table_take_rowv         (RaTable       *table,
                                      char         **cells);
void      ra_table_set_right_aligned (RaTable       *table,
                                      guint          column,
                                      gboolean       right);
void      ra_table_append            (RaTable       *table,
                                      GString       *out);
void      ra_table_print             (RaTable       *table,
                                      FILE          *out);
void      ra_table_free              (RaTable       *table);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RaTable, ra_table_free)

G_END_DECLS
