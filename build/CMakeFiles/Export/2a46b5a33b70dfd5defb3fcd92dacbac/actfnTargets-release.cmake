#----------------------------------------------------------------
# Generated CMake target import file for configuration "Release".
#----------------------------------------------------------------

# Commands may need to know the format version.
set(CMAKE_IMPORT_FILE_VERSION 1)

# Import target "actfn::actfn" for configuration "Release"
set_property(TARGET actfn::actfn APPEND PROPERTY IMPORTED_CONFIGURATIONS RELEASE)
set_target_properties(actfn::actfn PROPERTIES
  IMPORTED_LINK_INTERFACE_LANGUAGES_RELEASE "CXX"
  IMPORTED_LOCATION_RELEASE "${_IMPORT_PREFIX}/lib/libactfn.a"
  )

list(APPEND _cmake_import_check_targets actfn::actfn )
list(APPEND _cmake_import_check_files_for_actfn::actfn "${_IMPORT_PREFIX}/lib/libactfn.a" )

# Commands beyond this point should not need to know the version.
set(CMAKE_IMPORT_FILE_VERSION)
