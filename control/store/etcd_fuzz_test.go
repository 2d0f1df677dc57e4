package store

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// FuzzEtcdLocation: parsing never panics; an error comes with no location
// and never quotes the password; a parsed location's description parses
// back to the same endpoints, prefix and TLS.
func FuzzEtcdLocation(f *testing.F) {
	for _, e := range EtcdOptions {
		f.Setenv(e.Env, "")
	}
	for _, s := range []string{
		"etcd://127.0.0.1:2379/gwlbctl",
		"etcds://a:1,b,[::1]:3/x/y/?user=u&password=p%26q&dial-timeout=2s",
		"etcd://h/p?ca-file=/a&cert-file=/b&key-file=/c&tls=false",
		"etcd://u:pw@h/p", "etcd://h:0/p", "etcd://h//", "etcd://h/p?password=x",
		"etcd://[::1/p", "etcd://,/p",
	} {
		f.Add(s, "s3cret-pw")
	}
	f.Fuzz(func(t *testing.T, loc, pw string) {
		l, err := parseEtcdLocation(loc)
		if err != nil {
			if l.Endpoints != nil || l.Prefix != "" {
				t.Fatalf("error %v with a result %+v", err, l)
			}
		} else {
			if len(l.Endpoints) == 0 || !strings.HasPrefix(l.Prefix, "/") || strings.HasSuffix(l.Prefix, "/") || l.DialTimeout <= 0 {
				t.Fatalf("parsed %q into %+v", loc, l)
			}
			again, err := parseEtcdLocation(l.describe())
			if err != nil || strings.Join(again.Endpoints, ",") != strings.Join(l.Endpoints, ",") || again.Prefix != l.Prefix || again.TLS != l.TLS {
				t.Fatalf("%q -> %q -> %+v, %v", loc, l.describe(), again, err)
			}
		}
		// A password added to the location never shows in its error (a
		// password that the rest of the location spells anyway, also once
		// quoted as errors quote it, proves nothing: "\x00" then "000"
		// quotes as \x00000).
		unescaped, uerr := url.QueryUnescape(loc)
		if len(pw) < 4 || strings.Contains(loc, pw) || uerr != nil || strings.Contains(unescaped, pw) ||
			strings.Contains(strconv.Quote(loc), pw) || strings.Contains(strconv.Quote(unescaped), pw) {
			return
		}
		sep := "?"
		if _, rest, ok := strings.Cut(loc, "://"); ok && strings.Contains(rest, "?") {
			sep = "&"
		}
		if _, err := parseEtcdLocation(loc + sep + "password=" + url.QueryEscape(pw)); err != nil && strings.Contains(err.Error(), pw) {
			t.Fatalf("error quotes the password: %v", err)
		}
	})
}
