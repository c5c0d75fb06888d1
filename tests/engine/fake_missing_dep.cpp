// A library that the FAKE_NEEDS_DEP module links but the dynamic loader cannot find.
int fake_missing_dep() {
  return 0;
}
