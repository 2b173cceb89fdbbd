package httpx

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCheckJSONText(t *testing.T) {
	for _, c := range []struct {
		body string
		ok   bool
	}{
		{`{"name":"Zoë Ní Bhriain 李"}`, true},
		{`{"name":"\u00e9\u674e"}`, true},
		{`{"name":"😀 \ud83d\ude00"}`, true},
		{`{"name":"\uD83D\uDE00"}`, true},
		{`{"name":"a\\ud800"}`, true}, // an escaped backslash, then text
		{`{"a":"\"\ud83d\ude00"}`, true},
		{`{"n": 1, "ud800": "x"}`, true},
		{"{\"name\":\"\xff\"}", false},
		{"{\"name\":\"caf\xe9\"}", false},      // Latin-1
		{"{\"name\":\"\xed\xa0\x80\"}", false}, // a surrogate in UTF-8
		{"{\"name\":\"\xf0\x9f\x98\"}", false}, // cut short
		{"\xef\xbb\xbf{}", true},               // a BOM is valid UTF-8; the decoder refuses it
		{`{"name":"\ud800"}`, false},
		{`{"name":"\udc00\ud800"}`, false},
		{`{"name":"\ud800\u0041"}`, false},
		{`{"name":"\ud800x"}`, false},
		{`{"\ud800":"x"}`, false},
		{`{"name":"\ud83d\ude00\ud83d"}`, false},
		{`{"name":"\ud8`, true}, // not JSON: the decoder says so
	} {
		err := checkJSONText([]byte(c.body))
		if (err == nil) != c.ok {
			t.Errorf("%q: %v, want ok %v", c.body, err, c.ok)
		}
	}
}

// FuzzCheckJSONText: what passes the check decodes to exactly the
// characters sent: Go's decoder makes no replacement character the body
// did not hold.
func FuzzCheckJSONText(f *testing.F) {
	for _, s := range []string{`{"a":"b"}`, `{"a":"\ud800"}`, "{\"a\":\"\xff\"}", `{"a":"\ud83d\ude00"}`, `["\ufffd", "\\ud800"]`, `"\"\u00e9"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		err := checkJSONText(body)
		if !utf8.Valid(body) {
			if err == nil {
				t.Fatalf("%q is not UTF-8 but passed", body)
			}
			return
		}
		var v any
		if err != nil || json.Unmarshal(body, &v) != nil {
			return
		}
		allowed := bytes.Count(body, []byte("\uFFFD")) + strings.Count(strings.ToLower(string(body)), `\ufffd`)
		if got := replacements(v); got > allowed {
			t.Fatalf("%q passed but decodes with %d replacement characters", body, got)
		}
	})
}

func replacements(v any) int {
	switch x := v.(type) {
	case string:
		return strings.Count(x, "\uFFFD")
	case []any:
		n := 0
		for _, e := range x {
			n += replacements(e)
		}
		return n
	case map[string]any:
		n := 0
		for k, e := range x {
			n += strings.Count(k, "\uFFFD") + replacements(e)
		}
		return n
	}
	return 0
}
