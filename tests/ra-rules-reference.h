/* ra-rules-reference.h — the pre-prefilter rule matcher, kept for tests
 *
 * Copyright 2026 The Refusal Audit authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A frozen copy of model/ra-rules.c as of issue 15 (one GRegex call per rule
 * over a normalised copy of every response). Tests compare the model's
 * verdicts with it, turn by turn; it is never built into the product.
 */

#pragma once

#include "ra-rules.h"

G_BEGIN_DECLS

typedef struct _RefRules RefRules;

RefRules    *ref_rules_new_from_data     (const char    *data,
                                          gsize          length,
                                          const char    *display_name,
                                          GError       **error);
void         ref_rules_free              (RefRules      *self);
RaVerdict    ref_rules_match             (RefRules      *self,
                                          const char    *text,
                                          gssize         length,
                                          const char   **rule_id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RefRules, ref_rules_free)

G_END_DECLS
