// Status helpers shared by every module. Errors are values (absl::Status /
// absl::StatusOr<T>); these macros keep call sites short.
#ifndef GREGOR_COMMON_STATUS_H_
#define GREGOR_COMMON_STATUS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define GREGOR_STATUS_CONCAT_INNER_(a, b) a##b
#define GREGOR_STATUS_CONCAT_(a, b) GREGOR_STATUS_CONCAT_INNER_(a, b)

// Returns from the current function if `expr` (an absl::Status) is not OK.
#define RETURN_IF_ERROR(expr)                       \
  do {                                              \
    ::absl::Status gregor_status_ = (expr);         \
    if (!gregor_status_.ok()) return gregor_status_; \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, Foo());` declares x from an OK StatusOr, or
// returns its error from the current function.
#define ASSIGN_OR_RETURN(lhs, expr)                                          \
  GREGOR_ASSIGN_OR_RETURN_IMPL_(GREGOR_STATUS_CONCAT_(gregor_sor_, __LINE__), \
                                lhs, expr)
#define GREGOR_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()

#endif  // GREGOR_COMMON_STATUS_H_
