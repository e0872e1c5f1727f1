# `make package`: a .deb (CPack DEB) with install.sh's layout. The package-only install rules
# belong to the EXCLUDE_FROM_ALL component `deb`, so `cmake --install` (make install) is unchanged:
#   /opt/pganalytics/bin/<tool>-<version> and <tool> symlinks, /etc/pganalytics/collector.toml.sample,
#   /lib/systemd/system/<units> configured for /opt/pganalytics, /etc/logrotate.d/pganalytics.
# The maintainer scripts in packaging/deb create the user, the directories and the config.
set(PGA_DEB_PREFIX /opt/pganalytics)
set(PGA_DEB_SYSCONFDIR /etc/pganalytics)
set(PGA_TOOLS pganalytics pga-validate pga-healthcheck pga-diag pga-bench)

# The units once more, for the package prefix (the build dir's copies use CMAKE_INSTALL_PREFIX).
set(PREFIX ${PGA_DEB_PREFIX})
set(SYSCONFDIR ${PGA_DEB_SYSCONFDIR})
file(GLOB PGA_DEB_UNIT_TEMPLATES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/systemd/*.in)
set(PGA_DEB_UNITS "")
foreach(tmpl ${PGA_DEB_UNIT_TEMPLATES})
  get_filename_component(unit ${tmpl} NAME_WLE)
  configure_file(${tmpl} ${CMAKE_BINARY_DIR}/packaging/systemd/${unit} @ONLY)
  list(APPEND PGA_DEB_UNITS ${CMAKE_BINARY_DIR}/packaging/systemd/${unit})
endforeach()
install(FILES ${PGA_DEB_UNITS} DESTINATION /lib/systemd/system COMPONENT deb EXCLUDE_FROM_ALL)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/pganalytics.logrotate DESTINATION /etc/logrotate.d
        RENAME pganalytics COMPONENT deb EXCLUDE_FROM_ALL)

# Versioned binaries behind symlinks, and the sample config printed by the installed binary.
install(CODE "
  set(bindir \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}\")
  foreach(tool ${PGA_TOOLS})
    if(NOT IS_SYMLINK \"\${bindir}/\${tool}\")
      file(RENAME \"\${bindir}/\${tool}\" \"\${bindir}/\${tool}-${PROJECT_VERSION}\")
      file(CREATE_LINK \"\${tool}-${PROJECT_VERSION}\" \"\${bindir}/\${tool}\" SYMBOLIC)
    endif()
  endforeach()
  file(MAKE_DIRECTORY \"\$ENV{DESTDIR}${PGA_DEB_SYSCONFDIR}\")
  execute_process(COMMAND \"\${bindir}/pganalytics\" --print-sample-config
                  OUTPUT_FILE \"\$ENV{DESTDIR}${PGA_DEB_SYSCONFDIR}/collector.toml.sample\"
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR \"pganalytics --print-sample-config failed: \${rc}\")
  endif()
" COMPONENT deb EXCLUDE_FROM_ALL)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME pganalytics)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "pganalytics")
set(CPACK_PACKAGE_CONTACT "pganalytics maintainers <pganalytics@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "PostgreSQL metrics collector (pganalytics-collector service and tools)")
set(CPACK_PACKAGE_DESCRIPTION "pganalytics collects PostgreSQL and host metrics and pushes them to the pganalytics backend. Tools: pganalytics (the collector daemon behind pganalytics-collector.service), pga-validate, pga-healthcheck, pga-diag and pga-bench, installed under /opt/pganalytics.")
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX ${PGA_DEB_PREFIX})
set(CPACK_PACKAGING_INSTALL_PREFIX ${PGA_DEB_PREFIX})
set(CPACK_STRIP_FILES ON)
# Unspecified first (the tools), then the package-only rules that rename them.
set(CPACK_INSTALL_CMAKE_PROJECTS
    "${CMAKE_BINARY_DIR};${PROJECT_NAME};Unspecified;/"
    "${CMAKE_BINARY_DIR};${PROJECT_NAME};deb;/")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION database)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "passwd")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "logrotate")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_SOURCE_DIR}/packaging/deb/postinst
    ${CMAKE_SOURCE_DIR}/packaging/deb/prerm
    ${CMAKE_SOURCE_DIR}/packaging/deb/postrm
    ${CMAKE_SOURCE_DIR}/packaging/deb/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
