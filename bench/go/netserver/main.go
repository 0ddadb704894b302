// Command netserver is the far side of bench/net.sh: a GOPROXY and a checksum database
// served over TLS the way proxy.golang.org and sum.golang.org serve them — HTTP/2 when
// the client offers it (ALPN h2), HTTP/1.1 with keep-alive otherwise — with a test CA
// made for the run.
//
//	netserver -addr IP -dir PROXYDIR -sumdb-backend http://127.0.0.1:PORT \
//	          -ca-out CA.pem -log LOG [-proxy-port 443] [-sumdb-port 8443] \
//	          [-h2-streams 100] [-ready-file F]
//
// https://IP:proxy-port/ serves the GOPROXY tree PROXYDIR (files only; anything else,
// /sumdb/ included, is 404, so clients talk to the database directly).
// https://IP:sumdb-port/ relays every request to the checksum database at
// -sumdb-backend (bench/net.sh runs tests/support's sumdb-delay-server there, on the
// server's own loopback, without delay). The certificate (ECDSA P-256, as Google's
// front ends present) names IP; its CA is written to CA.pem for SSL_CERT_FILE.
// HTTP/2 connections allow -h2-streams streams at a time (the 100 Google's front ends
// announce).
//
// Every accepted TCP connection and every request is a line in LOG, so that the
// benchmark can count connections and see the protocols used:
//
//	conn <proxy|sumdb> <remote>
//	req <proxy|sumdb> <remote> <proto> <tls version> <status> <path>
//
// Once both listeners are up it writes `ready` to F. It serves until SIGTERM or SIGINT,
// then writes its totals to standard error.
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "", "IP address to listen on (named in the certificate)")
	dir := flag.String("dir", "", "GOPROXY tree to serve")
	backend := flag.String("sumdb-backend", "", "URL of the checksum database to relay to")
	caOut := flag.String("ca-out", "", "where to write the test CA (PEM)")
	logPath := flag.String("log", "", "connection and request log")
	proxyPort := flag.Int("proxy-port", 443, "GOPROXY port")
	sumdbPort := flag.Int("sumdb-port", 8443, "checksum database port")
	streams := flag.Int("h2-streams", 100, "HTTP/2 streams allowed at a time per connection")
	ready := flag.String("ready-file", "", "written once listening")
	flag.Parse()
	ip := net.ParseIP(*addr)
	if ip == nil || *dir == "" || *backend == "" || *caOut == "" || *logPath == "" {
		fmt.Fprintln(os.Stderr, "netserver: -addr, -dir, -sumdb-backend, -ca-out and -log are required")
		os.Exit(2)
	}
	backendURL, err := url.Parse(*backend)
	if err != nil {
		fatal(err)
	}
	cert, caPEM, err := testPKI(ip)
	if err != nil {
		fatal(err)
	}
	if err := os.WriteFile(*caOut, caPEM, 0o644); err != nil {
		fatal(err)
	}
	lf, err := os.OpenFile(*logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		fatal(err)
	}
	events := &eventLog{w: lf}

	relay := httputil.NewSingleHostReverseProxy(backendURL)
	relay.Transport = &http.Transport{MaxIdleConnsPerHost: 256, DisableCompression: true}
	handlers := map[string]http.Handler{
		"proxy": files(*dir),
		"sumdb": relay,
	}
	ports := map[string]int{"proxy": *proxyPort, "sumdb": *sumdbPort}
	var servers []*http.Server
	for _, name := range []string{"proxy", "sumdb"} {
		ln, err := net.Listen("tcp", net.JoinHostPort(ip.String(), fmt.Sprint(ports[name])))
		if err != nil {
			fatal(err)
		}
		srv := &http.Server{
			Handler:   events.logged(name, handlers[name]),
			TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}},
			HTTP2:     &http.HTTP2Config{MaxConcurrentStreams: *streams},
			ConnState: func(c net.Conn, s http.ConnState) {
				if s == http.StateNew {
					events.conn(name, c.RemoteAddr().String())
				}
			},
			// Handshakes cut short (the benchmark's RTT probes) are not worth a line.
			ErrorLog: log.New(io.Discard, "", 0),
		}
		servers = append(servers, srv)
		go func() {
			if err := srv.ServeTLS(ln, "", ""); err != http.ErrServerClosed {
				fatal(err)
			}
		}()
	}
	if *ready != "" {
		if err := os.WriteFile(*ready, []byte("ready\n"), 0o644); err != nil {
			fatal(err)
		}
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
	for _, srv := range servers {
		srv.Close()
	}
	fmt.Fprintf(os.Stderr, "netserver: %d connections, %d requests\n", events.conns.Load(), events.reqs.Load())
}

// files serves the GOPROXY tree at root: regular files only.
func files(root string) http.Handler {
	types := map[string]string{
		".info": "application/json",
		".mod":  "text/plain; charset=UTF-8",
		".zip":  "application/zip",
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		clean := path.Clean("/" + r.URL.Path)
		f, err := os.Open(filepath.Join(root, filepath.FromSlash(clean)))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil || !st.Mode().IsRegular() {
			http.NotFound(w, r)
			return
		}
		ct, ok := types[path.Ext(clean)]
		if !ok {
			ct = "text/plain; charset=UTF-8"
		}
		w.Header().Set("Content-Type", ct)
		http.ServeContent(w, r, "", time.Time{}, f)
	})
}

// eventLog writes one line per connection and per request.
type eventLog struct {
	mu          sync.Mutex
	w           io.Writer
	conns, reqs atomic.Int64
}

func (l *eventLog) line(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	io.WriteString(l.w, s)
}

func (l *eventLog) conn(name, remote string) {
	l.conns.Add(1)
	l.line(fmt.Sprintf("conn %s %s\n", name, remote))
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (l *eventLog) logged(name string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		l.reqs.Add(1)
		version := "-"
		if r.TLS != nil {
			version = strings.ReplaceAll(tls.VersionName(r.TLS.Version), " ", "")
		}
		l.line(fmt.Sprintf("req %s %s %s %s %d %s\n", name, r.RemoteAddr, r.Proto, version, sw.status, r.URL.EscapedPath()))
	})
}

// testPKI makes a CA and a certificate for ip signed by it.
func testPKI(ip net.IP) (tls.Certificate, []byte, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	now := time.Now()
	ca := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "gomod-tools bench/net.sh test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(48 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	ca, err = x509.ParseCertificate(caDER)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: ip.String()},
		IPAddresses:  []net.IP{ip},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(47 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	cert := tls.Certificate{Certificate: [][]byte{leafDER, caDER}, PrivateKey: key}
	return cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), nil
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "netserver:", err)
	os.Exit(1)
}
