# `cmake --install` and the Debian package (CPack). Where Debian expects things:
#   bin/spinel                          the command line
#   share/spinel/scenarios/             the shipped scenarios
#   share/spinel/tools/                 plot, studies and reports, the Slurm script
#   share/doc/spinel/                   README, LICENSE, CHANGELOG, the docs pages
#   include/spinel/                     the library's headers (#include "api/spinel.hpp")
#   lib/libspinel_*.a                   the library (static)
#   lib/cmake/spinel/                   find_package(spinel): targets spinel::spinel_api, ...
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# The library as a C++ program outside the tree links it: spinel_api and
# what it needs. Warnings-as-errors and sanitizers stay spinel's own
# (spinel_options carries them only in the build tree).
set(SPINEL_LIBRARIES
  spinel_options spinel_sim spinel_topology spinel_transport spinel_workloads spinel_pccl
  spinel_pccl_sim spinel_recovery spinel_flows spinel_chakra_proto spinel_chakra spinel_scenario
  spinel_api)

install(TARGETS spinel RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS ${SPINEL_LIBRARIES} EXPORT spinelTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/spinel)
foreach(dir sim topology transport workloads api)
  install(DIRECTORY ${dir}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/spinel/${dir}
    FILES_MATCHING PATTERN "*.hpp")
endforeach()
install(EXPORT spinelTargets NAMESPACE spinel::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/spinel)
configure_package_config_file(cmake/spinelConfig.cmake.in
  ${PROJECT_BINARY_DIR}/spinelConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/spinel)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/spinelConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/spinelConfig.cmake ${PROJECT_BINARY_DIR}/spinelConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/spinel)

install(DIRECTORY scenarios/ DESTINATION ${CMAKE_INSTALL_DATADIR}/spinel/scenarios)
install(PROGRAMS
  tools/plot tools/spraying_study tools/spraying_report tools/packet_spraying_study
  tools/packet_spraying_report tools/packet_spraying_parts tools/c4_detection_study tools/c4_detection_report
  tools/c4_downtime_study tools/c4_downtime_report tools/c4_planning_study
  tools/c4_planning_report tools/pccl_study_report tools/slurm/sweep.sbatch
  DESTINATION ${CMAKE_INSTALL_DATADIR}/spinel/tools)
install(FILES tools/packet_assumptions.py DESTINATION ${CMAKE_INSTALL_DATADIR}/spinel/tools)
install(FILES README.md LICENSE CHANGELOG.md CITATION.cff
  DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs)

# The Debian package: `cpack -G DEB` in the build folder.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME spinel)
set(CPACK_PACKAGE_VENDOR "the spinel developers")
set(CPACK_PACKAGE_CONTACT "spinel developers <spinel@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "discrete-event simulator of AI-training clusters and their networks")
set(CPACK_PACKAGE_DESCRIPTION
  "Flow- and packet-level simulation of collectives, training jobs, faults, C4-style detection
and fault-tolerant all-reduce on leaf-spine, 3-tier and custom fabrics; scenarios in YAML,
parameter sweeps, and a C++ library API.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
# Run-time libraries of bin/spinel, found by dpkg-shlibdeps; what the tools
# and the C++ library need besides.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "python3, python3-matplotlib, python3-pandas, python3-numpy")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "libboost-graph-dev, libyaml-cpp-dev, nlohmann-json3-dev, cmake, g++")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
include(CPack)
