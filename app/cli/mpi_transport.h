// The sweep transport over MPI (Open MPI), built with -DCONVSCOPE_MPI=ON. MPI starts only when
// the process was launched by mpirun (OMPI_COMM_WORLD_SIZE is set); a plain `convscope-cli sweep`
// never touches it.
#pragma once

#include <memory>

#include "convscope/sweep_run.h"

namespace cs::cli {

class MpiTransport : public SweepTransport {
 public:
  // nullptr unless launched by mpirun; throws std::runtime_error when MPI fails to start.
  static std::unique_ptr<MpiTransport> start();
  ~MpiTransport() override;  // MPI_Finalize, or MPI_Abort after abort_on_exit()

  int rank() const override { return m_rank; }
  int size() const override { return m_size; }
  int local_rank() const { return m_local_rank; }  // this rank's index on its node: its GPU
  int local_size() const { return m_local_size; }  // ranks on this node
  void broadcast(std::string& text) override;
  void send(const std::string& bytes) override;
  bool receive(std::string& bytes, int& from) override;
  // The sweep stopped early (a signal, a dead rank): end every rank with `code` instead of a
  // collective finalize that the other ranks may never reach.
  void abort_on_exit(int code) { m_abort_code = code; }

 private:
  MpiTransport() = default;
  int m_rank = 0, m_size = 1, m_local_rank = 0, m_local_size = 1;
  int m_abort_code = -1;
};

}  // namespace cs::cli
