// Marks an input field invalid: a red-tinted field (by palette, so the style keeps drawing its
// arrows and frame), the reason as its tool tip, and the dynamic property "invalid" for tests
// and style sheets. Clearing the mark restores the field's own tool tip.
#pragma once

class QString;
class QWidget;

void markFieldInvalid(QWidget* field, bool invalid, const QString& reason);
