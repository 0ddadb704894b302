// Command hashzip runs Go's own module-zip code on zip files: dirhash.HashZip (the h1:
// hash the go command records in go.sum) and, with -module, x/mod/zip's CheckZip and
// Unzip. bench/hash.sh times it next to our implementation; the tests in
// common/tests/rules/hash_vectors.rs compare its answers with ours.
//
//	hashzip [-module path@version] [-n runs] FILE...
//	hashzip -dirs [-prefix prefix] DIR...
//
// It prints one JSON object per file: "file", "h1" or "hash_error", the wall time of the
// hash in "seconds" (the fastest of -n runs), and with -module "checkzip_error",
// "checkzip_valid", "checkzip_invalid" and "unzip_error" (Unzip extracts into a fresh
// temporary directory, removed afterwards). With -dirs, the arguments are directories
// hashed with dirhash.HashDir under -prefix (what go mod verify does). Errors are
// err.Error() texts.
//
// It needs golang.org/x/mod (v0.7.0 or later) in GOPATH mode:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o hashzip .
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/sumdb/dirhash"
	modzip "golang.org/x/mod/zip"
)

type result struct {
	File            string   `json:"file"`
	H1              string   `json:"h1,omitempty"`
	HashError       *string  `json:"hash_error"`
	Seconds         float64  `json:"seconds"`
	CheckZipError   *string  `json:"checkzip_error,omitempty"`
	CheckZipValid   []string `json:"checkzip_valid,omitempty"`
	CheckZipInvalid []string `json:"checkzip_invalid,omitempty"`
	UnzipError      *string  `json:"unzip_error,omitempty"`
}

func errText(err error) *string {
	if err == nil {
		return nil
	}
	s := err.Error()
	return &s
}

func main() {
	mod := flag.String("module", "", "also run CheckZip and Unzip for this path@version")
	runs := flag.Int("n", 1, "hash each file this many times; report the fastest")
	dirs := flag.Bool("dirs", false, "the arguments are directories: hash them with HashDir")
	prefix := flag.String("prefix", "", "the prefix of the names HashDir hashes")
	flag.Parse()
	var m module.Version
	if *mod != "" {
		path, version, ok := strings.Cut(*mod, "@")
		if !ok {
			fmt.Fprintln(os.Stderr, "hashzip: -module wants path@version")
			os.Exit(2)
		}
		m = module.Version{Path: path, Version: version}
	}
	hash := func(file string) (string, error) {
		if *dirs {
			return dirhash.HashDir(file, *prefix, dirhash.Hash1)
		}
		return dirhash.HashZip(file, dirhash.Hash1)
	}
	out := json.NewEncoder(os.Stdout)
	for _, file := range flag.Args() {
		r := result{File: file, Seconds: -1}
		for i := 0; i < *runs; i++ {
			start := time.Now()
			h1, err := hash(file)
			if s := time.Since(start).Seconds(); r.Seconds < 0 || s < r.Seconds {
				r.Seconds = s
			}
			r.H1, r.HashError = h1, errText(err)
		}
		if *mod != "" {
			cf, err := modzip.CheckZip(m, file)
			r.CheckZipError = errText(err)
			r.CheckZipValid = cf.Valid
			for _, fe := range cf.Invalid {
				r.CheckZipInvalid = append(r.CheckZipInvalid, fe.Error())
			}
			tmp, err := os.MkdirTemp("", "hashzip-")
			if err != nil {
				fmt.Fprintln(os.Stderr, "hashzip:", err)
				os.Exit(2)
			}
			r.UnzipError = errText(modzip.Unzip(filepath.Join(tmp, "x"), m, file))
			os.RemoveAll(tmp)
		}
		if err := out.Encode(r); err != nil {
			fmt.Fprintln(os.Stderr, "hashzip:", err)
			os.Exit(2)
		}
	}
}
