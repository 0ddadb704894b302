// Command sumdbbench looks module versions up in a checksum database with x/mod's
// sumdb.Client, the client the go command uses, with a fixed number of lookups in
// flight, and reports what it cost. bench/sumverify.sh runs it next to gomod-sumverify.
//
//	sumdbbench -gosumdb "<verifier key> <url>" -j 16 [-dir DIR] -f modules.txt
//
// modules.txt holds one path@version per line. The client starts as the go command
// does with a fresh GOPATH and module cache: no remembered tree head, no cached lookups
// or tiles. With -dir DIR it keeps them on disk as the go command's dbClient does
// (DIR/pkg/sumdb/<name>/latest, DIR/pkg/mod/cache/download/sumdb/<name>/...; without
// the go command's file locks), otherwise in memory only. Requests go through
// net/http's default client, as the go command's do. Every lookup must succeed. It prints one JSON object: "lookups", "seconds" (wall time), "cpu_seconds"
// (user and system time of the process) and "requests" (HTTP requests made).
//
// It needs golang.org/x/mod (v0.7.0 or later) in GOPATH mode:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o sumdbbench .
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/mod/sumdb"
)

// ops is the client's view of the world: the database over HTTP, the configuration
// and cache in memory or, with a directory, on disk as the go command keeps them.
type ops struct {
	base     string
	vkey     string
	dir      string
	requests atomic.Int64
	mu       sync.Mutex
	config   map[string][]byte
}

func (o *ops) ReadRemote(path string) ([]byte, error) {
	o.requests.Add(1)
	resp, err := http.Get(o.base + path)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("reading %s: %s", o.base+path, resp.Status)
	}
	return data, nil
}

func (o *ops) ReadConfig(file string) ([]byte, error) {
	if file == "key" {
		return []byte(o.vkey), nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.dir == "" {
		return o.config[file], nil
	}
	data, err := os.ReadFile(filepath.Join(o.dir, "pkg/sumdb", file))
	if errors.Is(err, fs.ErrNotExist) {
		return []byte{}, nil
	}
	return data, err
}

func (o *ops) WriteConfig(file string, old, new []byte) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.dir == "" {
		if !bytes.Equal(o.config[file], old) {
			return sumdb.ErrWriteConflict
		}
		o.config[file] = new
		return nil
	}
	target := filepath.Join(o.dir, "pkg/sumdb", file)
	current, err := os.ReadFile(target)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if !bytes.Equal(current, old) {
		return sumdb.ErrWriteConflict
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o777); err != nil {
		return err
	}
	return os.WriteFile(target, new, 0o666)
}

func (o *ops) ReadCache(file string) ([]byte, error) {
	if o.dir == "" {
		return nil, errors.New("no cache")
	}
	data, err := os.ReadFile(filepath.Join(o.dir, "pkg/mod/cache/download/sumdb", file))
	if err == nil && len(data) == 0 {
		err = fs.ErrNotExist
	}
	return data, err
}

func (o *ops) WriteCache(file string, data []byte) {
	if o.dir == "" {
		return
	}
	target := filepath.Join(o.dir, "pkg/mod/cache/download/sumdb", file)
	os.MkdirAll(filepath.Dir(target), 0o777)
	os.WriteFile(target, data, 0o666)
}

func (o *ops) Log(msg string) {}

func (o *ops) SecurityError(msg string) {
	fmt.Fprintln(os.Stderr, msg)
	os.Exit(1)
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	seconds := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return seconds(ru.Utime) + seconds(ru.Stime)
}

func main() {
	gosumdb := flag.String("gosumdb", "", `the database: "<verifier key> <url>"`)
	jobs := flag.Int("j", 16, "lookups in flight")
	file := flag.String("f", "", "file of path@version lines")
	dir := flag.String("dir", "", "keep the tree head and cache in this directory, as the go command keeps them in GOPATH")
	flag.Parse()
	fields := strings.Fields(*gosumdb)
	if len(fields) != 2 || *file == "" || *jobs < 1 {
		fmt.Fprintln(os.Stderr, "usage: sumdbbench -gosumdb '<verifier key> <url>' [-j N] [-dir DIR] -f FILE")
		os.Exit(2)
	}
	f, err := os.Open(*file)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var targets [][2]string
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		line := strings.TrimSpace(scanner.Text())
		if i := strings.LastIndex(line, "@"); i > 0 {
			targets = append(targets, [2]string{line[:i], line[i+1:]})
		}
	}
	f.Close()

	o := &ops{base: strings.TrimSuffix(fields[1], "/"), vkey: fields[0], dir: *dir, config: map[string][]byte{}}
	client := sumdb.NewClient(o)
	start := time.Now()
	sem := make(chan struct{}, *jobs)
	var wg sync.WaitGroup
	var failed atomic.Int64
	for _, t := range targets {
		wg.Add(1)
		sem <- struct{}{}
		go func(path, version string) {
			defer wg.Done()
			defer func() { <-sem }()
			if _, err := client.Lookup(path, version); err != nil {
				if failed.Add(1) == 1 {
					fmt.Fprintf(os.Stderr, "%s@%s: %v\n", path, version, err)
				}
			}
		}(t[0], t[1])
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	if n := failed.Load(); n > 0 {
		fmt.Fprintf(os.Stderr, "sumdbbench: %d of %d lookups failed\n", n, len(targets))
		os.Exit(1)
	}
	json.NewEncoder(os.Stdout).Encode(map[string]any{
		"lookups":     len(targets),
		"seconds":     elapsed,
		"cpu_seconds": cpuSeconds(),
		"requests":    o.requests.Load(),
	})
}
