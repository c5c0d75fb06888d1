// Finds the validation images of a stored run, which keeps only their labels and checksum: a set
// the app already holds (remember()), or the IDX folder named in the run ("mnist/test" is
// cs::default_mnist_dir(), "fashion-mnist/test" cs::fashion_mnist_dir(), "<folder>/test" that
// folder). A set fits when its first images carry the run's labels; a fitting set whose SHA-256
// differs from the stored one is still shown, with a warning. Loaded sets are kept; a folder that
// could not be read is read again at the next find() (the files may have been put there since).
#pragma once

#include <QImage>
#include <QString>
#include <map>
#include <memory>
#include <vector>

#include "convscope/store.h"

class ValidationImages {
 public:
  struct Match {
    std::shared_ptr<const cs::Dataset> images;  // null when no set fits
    QString note;                               // where they came from, or why there are none
    bool warning = false;
  };

  void remember(std::shared_ptr<const cs::Dataset> set);
  Match find(const cs::RunSetup& setup);

  // The folder a stored validation-set name refers to; empty when it names none.
  static QString folderFor(const std::string& valName);
  // Image `index` of `set` (grey, or RGB for three channels) at its own size.
  static QImage image(const cs::Dataset& set, int index);

 private:
  void loadFolder(const QString& folder, const std::string& name);

  std::vector<std::shared_ptr<const cs::Dataset>> m_sets;
  std::map<QString, QString> m_folders;  // folders tried: "" when loaded, else why not
};
