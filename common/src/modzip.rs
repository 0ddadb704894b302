//! Module zips as Go checks them (golang.org/x/mod/zip and the go command's download checks).
