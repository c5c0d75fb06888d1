#include "ensemble/validation_images.h"

#include <QDir>
#include <QFileInfo>
#include <QObject>
#include <algorithm>

#include "widgets/planar_image.h"

namespace {

bool fits(const cs::Dataset& set, const cs::RunSetup& setup) {
  const std::vector<uint8_t>& labels = setup.val_labels;
  return set.shape == setup.group.spec.input && set.count >= static_cast<int>(labels.size()) &&
         std::equal(labels.begin(), labels.end(), set.labels.begin());
}

// The standard test-set file, raw or gzipped.
QString testFile(const QString& folder, const QString& name) {
  const QString raw = QDir(folder).filePath(name);
  return QFileInfo::exists(raw) || !QFileInfo::exists(raw + QStringLiteral(".gz"))
             ? raw
             : raw + QStringLiteral(".gz");
}

QString shortSha(const std::string& sha) {
  return QString::fromStdString(sha.substr(0, 12));
}

}  // namespace

void ValidationImages::remember(std::shared_ptr<const cs::Dataset> set) {
  if (set && std::find(m_sets.begin(), m_sets.end(), set) == m_sets.end())
    m_sets.push_back(std::move(set));
}

QString ValidationImages::folderFor(const std::string& valName) {
  // The names cs::dataset_name_for() gives: "mnist", else a folder's absolute path; also
  // "fashion-mnist", as runs stored before the app named that folder by its path, and a relative
  // path from before names were absolute. Another spelling ("MNIST") is a folder's path.
  const std::string name = cs::dataset_name_of(valName);
  if (name == "mnist") return QString::fromStdString(cs::default_mnist_dir());
  if (name == "fashion-mnist") return QString::fromStdString(cs::fashion_mnist_dir());
  const QString folder = QString::fromStdString(name);
  if (!folder.isEmpty() && QFileInfo(folder).isDir()) return QDir::cleanPath(folder);
  return {};
}

void ValidationImages::loadFolder(const QString& folder, const std::string& name) {
  // A set loaded is kept; a folder that failed is read again (its files may be there by now).
  if (const auto it = m_folders.find(folder); it != m_folders.end() && it->second.isEmpty()) return;
  m_folders[folder] = QString();
  try {
    auto set = std::make_shared<const cs::Dataset>(cs::load_idx_pair(
        testFile(folder, QStringLiteral("t10k-images-idx3-ubyte")).toStdString(),
        testFile(folder, QStringLiteral("t10k-labels-idx1-ubyte")).toStdString(), name));
    m_sets.push_back(std::move(set));
  } catch (const std::exception& e) {
    m_folders[folder] = QString::fromUtf8(e.what());
  }
}

ValidationImages::Match ValidationImages::find(const cs::RunSetup& setup) {
  const QString name = QString::fromStdString(setup.val_name);
  const auto exact = [&]() -> std::shared_ptr<const cs::Dataset> {
    for (const auto& set : m_sets)
      if (set->sha256 == setup.val_sha256 && fits(*set, setup)) return set;
    return nullptr;
  };
  const QString folder = folderFor(setup.val_name);
  std::shared_ptr<const cs::Dataset> found = exact();
  if (!found && !folder.isEmpty()) {
    loadFolder(folder, setup.val_name);
    found = exact();
  }
  if (found)
    return {found,
            QObject::tr("Validation images: %1 (SHA-256 %2… matches the run)")
                .arg(name, shortSha(setup.val_sha256)),
            false};
  for (const auto& set : m_sets)
    if (fits(*set, setup))
      return {set,
              QObject::tr("Validation images from %1: its SHA-256 (%2…) differs from the run's "
                          "(%3…), so the pictures may not be the images the run was validated on")
                  .arg(QString::fromStdString(set->name), shortSha(set->sha256),
                       shortSha(setup.val_sha256)),
              true};
  if (folder.isEmpty())
    return {nullptr, QObject::tr("No validation images: no folder is known for “%1”").arg(name),
            true};
  if (const QString& why = m_folders[folder]; !why.isEmpty())
    return {nullptr, QObject::tr("No validation images: %1").arg(why), true};
  return {nullptr,
          QObject::tr("No validation images: the test set in %1 does not carry the run's labels")
              .arg(QDir::toNativeSeparators(folder)),
          true};
}

QImage ValidationImages::image(const cs::Dataset& set, int index) {
  return planarImage(set.image(index), set.shape);
}
