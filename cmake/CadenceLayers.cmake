# One static library per layer (src/<layer>/*.cpp), so that the dependency direction of the
# design (apps -> discord/lavalink/sim -> http -> core) is enforced by the linker, and a build
# break in one layer does not stop work in another. Sources are globbed: adding a file needs no
# CMake edit, and CONFIGURE_DEPENDS notices new files on the next build.
set(CADENCE_LAYERS "")

function(cadence_add_layer layer)
  cmake_parse_arguments(ARG "" "" "DEPS;EXTERNAL" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${layer}/*.cpp)
  set(target cadence_${layer})
  if(NOT sources)
    # A layer with no sources yet is an interface target, so that dependents still link.
    add_library(${target} INTERFACE)
    add_library(cadence::${layer} ALIAS ${target})
    set_target_properties(${target} PROPERTIES EXPORT_NAME ${layer})
    target_link_libraries(${target} INTERFACE ${ARG_DEPS} ${ARG_EXTERNAL})
    set(CADENCE_LAYERS ${CADENCE_LAYERS} ${target} PARENT_SCOPE)
    return()
  endif()
  add_library(${target} STATIC ${sources})
  add_library(cadence::${layer} ALIAS ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${layer} POSITION_INDEPENDENT_CODE ON)
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>
    $<INSTALL_INTERFACE:include>
    PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_compile_features(${target} PUBLIC cxx_std_20)
  target_link_libraries(${target} PUBLIC ${ARG_DEPS} ${ARG_EXTERNAL})
  # Flags, not a link to cadence_warnings, so that the exported targets stay self-contained.
  target_compile_options(${target} PRIVATE ${CADENCE_WARNING_FLAGS})
  set(CADENCE_LAYERS ${CADENCE_LAYERS} ${target} PARENT_SCOPE)
endfunction()
