// Whether two paths name the same run store: a page trains into a store and shows one, and the two
// may be given differently ("runs.db" and "/home/me/runs.db", or a link).
#pragma once

#include <QString>

// The same file: one existing file under both names, or the same absolute, cleaned path where
// either is not there yet.
bool sameStorePath(const QString& a, const QString& b);
