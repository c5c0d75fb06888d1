// Value types that cross the learning-rate finder's thread boundary in queued calls and signals
// (LrFinderWorker): plain copies of the engine's settings, points and result.
#pragma once

#include <QMetaType>
#include <vector>

#include "convscope/backend.h"
#include "convscope/lr_finder.h"
#include "training/training_types.h"

using LrFinderPoints = std::vector<cs::LrFinderPoint>;

Q_DECLARE_METATYPE(cs::LrFinderSettings)
Q_DECLARE_METATYPE(LrFinderPoints)
Q_DECLARE_METATYPE(cs::LrFinderResult)

// Registers the types above, cs::GroupConfig (known to the meta-type system once a moc'ed
// signature uses it) and the training types for queued connections.
void registerLrFinderTypes();
