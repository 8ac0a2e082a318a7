# The one list of warning flags for Rampart's own code.
set(RAMPART_COPTS
    -Wall
    -Wextra
    -Wpedantic
    -Wshadow
    -Wnon-virtual-dtor
    -Wno-unused-parameter
    -Wno-missing-field-initializers)
