/* ra-types.h — forward declarations of the workbench's types
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _RaApplication       RaApplication;
typedef struct _RaWindow            RaWindow;
typedef struct _RaBatchesPage       RaBatchesPage;
typedef struct _RaAuditsPage        RaAuditsPage;
typedef struct _RaSessionPage       RaSessionPage;
typedef struct _RaResultsPage       RaResultsPage;
typedef struct _RaBrowsePage        RaBrowsePage;
typedef struct _RaForestPlot        RaForestPlot;

G_END_DECLS
