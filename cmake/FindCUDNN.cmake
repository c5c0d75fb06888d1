# Finds cuDNN 9: headers and libcudnn. Looks in CUDNN_ROOT (variable or environment), the CUDA
# toolkit, and the nvidia-cudnn wheel that PyTorch installs (site-packages/nvidia/cudnn, also
# asked of python3 itself). The library is taken from the installation the header came from.
# Defines CUDNN_FOUND, CUDNN_VERSION, CUDNN_INCLUDE_DIR, CUDNN_LIBRARY and the imported target
# CUDNN::cudnn, which carries an RPATH to its directory (a wheel's lib/ is not on the loader's
# path, and libcudnn loads its sub-libraries from next to itself).
set(_cudnn_hints ${CUDNN_ROOT} $ENV{CUDNN_ROOT} ${CUDAToolkit_LIBRARY_ROOT} /usr/local/cuda)
file(GLOB _cudnn_wheels
  /usr/lib/python3*/site-packages/nvidia/cudnn /usr/local/lib/python3*/dist-packages/nvidia/cudnn
  /usr/local/lib/python3*/site-packages/nvidia/cudnn /usr/lib/python3/dist-packages/nvidia/cudnn
  $ENV{HOME}/.local/lib/python3*/site-packages/nvidia/cudnn)
list(APPEND _cudnn_hints ${_cudnn_wheels})
if(NOT CUDNN_INCLUDE_DIR)
  find_program(_cudnn_python NAMES python3)
  if(_cudnn_python)
    execute_process(
      COMMAND ${_cudnn_python} -c
        "import nvidia.cudnn as m, os; print(list(m.__path__)[0])"
      OUTPUT_VARIABLE _cudnn_wheel OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET
      RESULT_VARIABLE _cudnn_rc)
    if(_cudnn_rc EQUAL 0 AND IS_DIRECTORY "${_cudnn_wheel}")
      list(APPEND _cudnn_hints ${_cudnn_wheel})
    endif()
  endif()
endif()

find_path(CUDNN_INCLUDE_DIR cudnn.h HINTS ${_cudnn_hints} PATH_SUFFIXES include)
if(CUDNN_INCLUDE_DIR)
  get_filename_component(_cudnn_home "${CUDNN_INCLUDE_DIR}" DIRECTORY)
endif()
if(EXISTS "${CUDNN_INCLUDE_DIR}/cudnn_version.h")
  file(STRINGS "${CUDNN_INCLUDE_DIR}/cudnn_version.h" _cudnn_defines
    REGEX "^#define CUDNN_(MAJOR|MINOR|PATCHLEVEL) +[0-9]+")
  foreach(_part MAJOR MINOR PATCHLEVEL)
    string(REGEX MATCH "CUDNN_${_part} +([0-9]+)" _match "${_cudnn_defines}")
    set(_cudnn_${_part} "${CMAKE_MATCH_1}")
  endforeach()
  set(CUDNN_VERSION "${_cudnn_MAJOR}.${_cudnn_MINOR}.${_cudnn_PATCHLEVEL}")
endif()
find_library(CUDNN_LIBRARY NAMES cudnn libcudnn.so.9 NAMES_PER_DIR
  HINTS ${_cudnn_home} ${_cudnn_hints} PATH_SUFFIXES lib lib64 lib/x86_64-linux-gnu)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(CUDNN REQUIRED_VARS CUDNN_LIBRARY CUDNN_INCLUDE_DIR
  VERSION_VAR CUDNN_VERSION)
if(CUDNN_FOUND AND CUDNN_VERSION AND CUDNN_VERSION VERSION_LESS 9)
  message(WARNING "cuDNN ${CUDNN_VERSION} at ${CUDNN_INCLUDE_DIR} is older than 9: not used")
  set(CUDNN_FOUND OFF)
endif()
if(CUDNN_FOUND AND NOT TARGET CUDNN::cudnn)
  get_filename_component(_cudnn_libdir "${CUDNN_LIBRARY}" DIRECTORY)
  add_library(CUDNN::cudnn UNKNOWN IMPORTED)
  set_target_properties(CUDNN::cudnn PROPERTIES IMPORTED_LOCATION ${CUDNN_LIBRARY}
    INTERFACE_INCLUDE_DIRECTORIES ${CUDNN_INCLUDE_DIR}
    INTERFACE_LINK_OPTIONS "LINKER:-rpath,${_cudnn_libdir}")
  message(STATUS "cuDNN ${CUDNN_VERSION}: ${CUDNN_LIBRARY}")
endif()
