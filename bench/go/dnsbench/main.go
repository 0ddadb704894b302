// Command dnsbench resolves host names the way the go command does — Go's own
// resolver (PreferGo), A and AAAA in parallel for each name — with every query sent
// to one DNS server, and prints the wall time. bench/dns.sh runs it next to
// gomod-dnscheck.
//
//	dnsbench -server 127.0.0.1:53 -j 16 -f names.txt
//
// Names come one per line from -f (or standard input). At most -j names are looked
// up at a time. The output is one line: "<seconds> <ok> <failed>"; failures are
// listed on standard error and make the exit status 1.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"time"
)

func main() {
	server := flag.String("server", "127.0.0.1:53", "DNS server to send every query to (IP:PORT)")
	jobs := flag.Int("j", 16, "names looked up at the same time")
	file := flag.String("f", "-", "file of names, one per line (- for standard input)")
	flag.Parse()
	if *jobs < 1 {
		fmt.Fprintln(os.Stderr, "dnsbench: -j must be at least 1")
		os.Exit(2)
	}
	names, err := readNames(*file)
	if err != nil {
		fmt.Fprintln(os.Stderr, "dnsbench:", err)
		os.Exit(2)
	}

	// Go's resolver, reading this machine's resolv.conf for its options, but with
	// every exchange (UDP, and TCP after a truncated reply) going to -server.
	resolver := &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, *server)
		},
	}

	var (
		mu     sync.Mutex
		failed []string
		wg     sync.WaitGroup
	)
	sem := make(chan struct{}, *jobs)
	start := time.Now()
	for _, name := range names {
		sem <- struct{}{}
		wg.Add(1)
		go func(name string) {
			defer func() { <-sem; wg.Done() }()
			addrs, err := resolver.LookupHost(context.Background(), name)
			if err == nil && len(addrs) == 0 {
				err = fmt.Errorf("no addresses")
			}
			if err != nil {
				mu.Lock()
				failed = append(failed, fmt.Sprintf("%s: %v", name, err))
				mu.Unlock()
			}
		}(name)
	}
	wg.Wait()
	elapsed := time.Since(start)

	for _, f := range failed {
		fmt.Fprintln(os.Stderr, "dnsbench:", f)
	}
	fmt.Printf("%.6f %d %d\n", elapsed.Seconds(), len(names)-len(failed), len(failed))
	if len(failed) > 0 {
		os.Exit(1)
	}
}

func readNames(file string) ([]string, error) {
	var r io.Reader = os.Stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	var names []string
	scanner := bufio.NewScanner(r)
	for scanner.Scan() {
		if name := strings.TrimSpace(scanner.Text()); name != "" {
			names = append(names, name)
		}
	}
	return names, scanner.Err()
}
