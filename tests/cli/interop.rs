//! Agreement with the real go command (newest Go on PATH; with GOMOD_REQUIRE_GO=1 a
//! missing go fails these tests instead of skipping them).
