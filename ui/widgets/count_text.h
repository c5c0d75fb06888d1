// Counts in running text, with the noun in the singular or the plural: "1 network",
// "10,000 images", "1 epoch" — never "network(s)"; and the engine's clauses as sentences.
#pragma once

#include <QString>

// `n` in the locale's digits, then `one` when n is 1, else `many`.
QString countText(long long n, const QString& one, const QString& many);

// A number in the locale's digits, with `decimals` after the point: 0.953 → "0.953" (or "0,953").
QString numberText(double value, int decimals);

// A share in percent in the locale's digits, with `decimals` after the point: 0.97814 → "97.81%".
QString percentText(double share, int decimals);

// How often an image went from right to wrong: "never forgotten", "forgotten 1 time",
// "forgotten 12 times".
QString forgottenText(long long times);

// An engine message ("the network is not learning …") as a sentence: capitalized, with a full
// stop. Empty stays empty.
QString sentence(const QString& clause);
