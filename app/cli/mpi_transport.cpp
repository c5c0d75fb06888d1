// MPI transport: errors return (MPI_ERRORS_RETURN) and become exceptions; reports are byte
// messages with one tag, received with MPI_Iprobe so that rank 0 can poll between its own steps.
#include "mpi_transport.h"

#include <mpi.h>

#include <climits>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace cs::cli {

namespace {

constexpr int kReportTag = 16;

void check(int rc, const char* what) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING] = {};
  int len = 0;
  MPI_Error_string(rc, text, &len);
  throw std::runtime_error(std::string("MPI: ") + what + " failed: " + std::string(text, len));
}

}  // namespace

std::unique_ptr<MpiTransport> MpiTransport::start() {
  if (!std::getenv("OMPI_COMM_WORLD_SIZE")) return nullptr;
  check(MPI_Init(nullptr, nullptr), "MPI_Init");
  std::unique_ptr<MpiTransport> t(new MpiTransport());
  check(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
  check(MPI_Comm_rank(MPI_COMM_WORLD, &t->m_rank), "MPI_Comm_rank");
  check(MPI_Comm_size(MPI_COMM_WORLD, &t->m_size), "MPI_Comm_size");
  MPI_Comm node;
  check(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, t->m_rank, MPI_INFO_NULL, &node),
        "MPI_Comm_split_type");
  check(MPI_Comm_rank(node, &t->m_local_rank), "MPI_Comm_rank (node)");
  check(MPI_Comm_size(node, &t->m_local_size), "MPI_Comm_size (node)");
  MPI_Comm_free(&node);
  return t;
}

MpiTransport::~MpiTransport() {
  if (m_abort_code >= 0 && m_size > 1)
    MPI_Abort(MPI_COMM_WORLD, m_abort_code);
  else
    MPI_Finalize();
}

void MpiTransport::broadcast(std::string& text) {
  uint64_t size = text.size();
  check(MPI_Bcast(&size, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD), "MPI_Bcast (size)");
  if (size > INT_MAX) throw std::runtime_error("MPI: the sweep plan is too large to broadcast");
  text.resize(size);
  check(MPI_Bcast(text.data(), static_cast<int>(size), MPI_BYTE, 0, MPI_COMM_WORLD), "MPI_Bcast");
}

void MpiTransport::send(const std::string& bytes) {
  if (bytes.size() > INT_MAX)
    throw std::runtime_error("MPI: a report of " + std::to_string(bytes.size()) +
                             " bytes is too large (use fewer networks or validation images)");
  check(MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, 0, kReportTag,
                 MPI_COMM_WORLD),
        "MPI_Send");
}

bool MpiTransport::receive(std::string& bytes, int& from) {
  int waiting = 0;
  MPI_Status status;
  check(MPI_Iprobe(MPI_ANY_SOURCE, kReportTag, MPI_COMM_WORLD, &waiting, &status), "MPI_Iprobe");
  if (!waiting) return false;
  int count = 0;
  check(MPI_Get_count(&status, MPI_BYTE, &count), "MPI_Get_count");
  bytes.resize(static_cast<size_t>(count));
  from = status.MPI_SOURCE;
  check(
      MPI_Recv(bytes.data(), count, MPI_BYTE, from, kReportTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE),
      "MPI_Recv");
  return true;
}

}  // namespace cs::cli
