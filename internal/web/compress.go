package web

import (
	"bufio"
	"compress/gzip"
	"io"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Compression: pages, JSON (the API, FHIR, Open Referral), CSV and static
// text go out gzipped to clients that accept it. The NHS.UK stylesheet is
// 278 KB and 30 KB gzipped, so a first visit costs a sixth of the bytes.
// Static files are compressed once, at start-up, at the best level
// (staticAssets); everything else on the fly at the default level. Images
// that are compressed already (PNG) go as they are, and so do small
// answers, where gzip's own framing would cost more than it saves.

// minCompress is the smallest body worth compressing: below about a
// packet, gzip saves nothing a client would notice.
const minCompress = 1024

// compressibleType reports whether a Content-Type is text that gzip
// shrinks.
func compressibleType(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	switch strings.ToLower(strings.TrimSpace(mt)) {
	case "text/html", "text/css", "text/plain", "text/csv", "text/javascript", "application/javascript",
		"application/json", "application/fhir+json", "application/x-ndjson", "application/problem+json",
		"application/manifest+json", "image/svg+xml":
		return true
	}
	return false
}

// acceptsGzip reads an Accept-Encoding header (RFC 9110, 12.5.3): gzip
// (or its old name x-gzip) is acceptable if listed, or covered by "*",
// with a quality above zero.
func acceptsGzip(header string) bool {
	gzipQ, starQ := -1.0, -1.0
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(part, ";")
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if !ok || !strings.EqualFold(strings.TrimSpace(k), "q") {
				continue
			}
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || f < 0 || f > 1 || f != f {
				f = 0 // an unreadable weight is no permission
			}
			q = f
		}
		switch coding = strings.ToLower(strings.TrimSpace(coding)); coding {
		case "gzip", "x-gzip":
			gzipQ = max(gzipQ, q)
		case "*":
			starQ = max(starQ, q)
		}
	}
	if gzipQ >= 0 {
		return gzipQ > 0
	}
	return starQ > 0
}

var gzipWriters = sync.Pool{New: func() any { return gzip.NewWriter(io.Discard) }}

// compress gzips what next answers, for clients that accept it. Every
// answer varies with Accept-Encoding, so caches keep the two apart.
func (s *Server) compress(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Accept-Encoding")
		// HEAD has no body; a range is of the bytes as stored.
		if r.Method == http.MethodHead || r.Header.Get("Range") != "" || !acceptsGzip(r.Header.Get("Accept-Encoding")) {
			next.ServeHTTP(w, r)
			return
		}
		cw := &compressWriter{ResponseWriter: w}
		defer cw.finish()
		next.ServeHTTP(cw, r)
	})
}

// compressWriter holds back the start of a body until it knows whether
// to compress it: the content type must be text, nothing must have
// encoded it already, and it must be at least minCompress bytes.
type compressWriter struct {
	http.ResponseWriter
	status  int
	buf     []byte
	decided bool
	gz      *gzip.Writer
}

func (w *compressWriter) WriteHeader(code int) {
	if w.status != 0 || w.decided {
		return
	}
	if code < 200 {
		w.ResponseWriter.WriteHeader(code) // 1xx go as they are
		return
	}
	w.status = code
}

func (w *compressWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if !w.decided {
		if len(w.buf)+len(p) < minCompress && w.eligible() {
			w.buf = append(w.buf, p...)
			return len(p), nil
		}
		w.decide(true)
	}
	if w.gz != nil {
		return w.gz.Write(p)
	}
	return w.ResponseWriter.Write(p)
}

// eligible reports whether the answer, as its headers stand, may be
// compressed.
func (w *compressWriter) eligible() bool {
	h := w.Header()
	return w.status != http.StatusNoContent && w.status != http.StatusNotModified && w.status != http.StatusPartialContent &&
		h.Get("Content-Encoding") == "" && h.Get("Content-Range") == "" && compressibleType(h.Get("Content-Type"))
}

// decide sends the headers, compressing if big is true (the body is long
// enough) and the answer is eligible, then what was held back.
func (w *compressWriter) decide(big bool) {
	w.decided = true
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if big && w.eligible() {
		h := w.Header()
		h.Set("Content-Encoding", "gzip")
		h.Del("Content-Length")
		// A strong ETag names the bytes as stored; these are others.
		if et := h.Get("ETag"); et != "" && !strings.HasPrefix(et, "W/") {
			h.Set("ETag", "W/"+et)
		}
		w.gz = gzipWriters.Get().(*gzip.Writer)
		w.gz.Reset(w.ResponseWriter)
	}
	w.ResponseWriter.WriteHeader(w.status)
	if len(w.buf) > 0 {
		if w.gz != nil {
			w.gz.Write(w.buf)
		} else {
			w.ResponseWriter.Write(w.buf)
		}
		w.buf = nil
	}
}

// finish ends the answer: a short body goes as it is.
func (w *compressWriter) finish() {
	if !w.decided {
		if w.status == 0 {
			// The handler wrote nothing at all: leave the answer to the
			// server, as it would be without this writer.
			return
		}
		w.decide(false)
	}
	if w.gz != nil {
		w.gz.Close()
		w.gz.Reset(io.Discard)
		gzipWriters.Put(w.gz)
		w.gz = nil
	}
}

// Flush sends what there is so far: a stream (NDJSON) reaches the client
// as it is written.
func (w *compressWriter) Flush() {
	if !w.decided {
		w.decide(true)
	}
	if w.gz != nil {
		w.gz.Flush()
	}
	http.NewResponseController(w.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the connection's writer
// (deadlines).
func (w *compressWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Hijack passes a connection upgrade through, uncompressed.
func (w *compressWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// staticType is the Content-Type of a static file by its name.
func staticType(name string) string {
	if i := strings.LastIndex(name, "."); i >= 0 {
		if t := mime.TypeByExtension(name[i:]); t != "" {
			return t
		}
	}
	return "application/octet-stream"
}
