package awsapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Credentials are the access key the API verifies Signature Version 4
// signatures against. Without them signatures are parsed (their scope
// picks the service and region) but not verified.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
}

// sigV4Algorithm is the only signing algorithm accepted.
const sigV4Algorithm = "AWS4-HMAC-SHA256"

// maxClockSkew is how far a signed request's time may be from the
// server's, as AWS allows.
const maxClockSkew = 15 * time.Minute

// signature is a parsed SigV4 Authorization header (or query-string
// signature).
type signature struct {
	accessKey     string
	date          string // YYYYMMDD of the scope
	region        string
	service       string
	signedHeaders []string
	signature     string
	presigned     bool
}

func (s *signature) scope() string {
	return s.date + "/" + s.region + "/" + s.service + "/aws4_request"
}

var (
	scopeDateRe = regexp.MustCompile(`^[0-9]{8}$`)
	hexSigRe    = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// parseSignature reads the request's SigV4 signature: nil when the
// request carries none. A malformed one is IncompleteSignature.
func parseSignature(r *http.Request, query url.Values) (*signature, *apiError) {
	if h := r.Header.Get("Authorization"); h != "" {
		return parseAuthorization(h)
	}
	if query.Get("X-Amz-Algorithm") == "" && query.Get("X-Amz-Credential") == "" {
		return nil, nil
	}
	if query.Get("X-Amz-Algorithm") != sigV4Algorithm {
		return nil, errorf(codeIncompleteSignature, "X-Amz-Algorithm must be %s", sigV4Algorithm)
	}
	s := &signature{presigned: true, signature: query.Get("X-Amz-Signature")}
	if err := s.setCredential(query.Get("X-Amz-Credential")); err != nil {
		return nil, err
	}
	s.signedHeaders = strings.Split(query.Get("X-Amz-SignedHeaders"), ";")
	return s, nil
}

func parseAuthorization(h string) (*signature, *apiError) {
	alg, rest, _ := strings.Cut(h, " ")
	if alg != sigV4Algorithm {
		return nil, errorf(codeIncompleteSignature, "Authorization header must use %s (Signature Version 4), not %q", sigV4Algorithm, alg)
	}
	s := &signature{}
	seen := map[string]bool{}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, errorf(codeIncompleteSignature, "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters (key=value, comma separated); got %q", part)
		}
		seen[k] = true
		switch k {
		case "Credential":
			if err := s.setCredential(v); err != nil {
				return nil, err
			}
		case "SignedHeaders":
			s.signedHeaders = strings.Split(v, ";")
		case "Signature":
			s.signature = v
		}
	}
	for _, k := range []string{"Credential", "SignedHeaders", "Signature"} {
		if !seen[k] {
			return nil, errorf(codeIncompleteSignature, "Authorization header requires '%s' parameter. Authorization=%s", k, h)
		}
	}
	if !hexSigRe.MatchString(s.signature) {
		return nil, errorf(codeIncompleteSignature, "Signature must be 64 lower-case hex digits")
	}
	if !slices.Contains(s.signedHeaders, "host") {
		return nil, errorf(codeIncompleteSignature, "SignedHeaders must include host")
	}
	return s, nil
}

func (s *signature) setCredential(v string) *apiError {
	parts := strings.Split(v, "/")
	if len(parts) != 5 || parts[0] == "" || !scopeDateRe.MatchString(parts[1]) || parts[2] == "" || parts[3] == "" || parts[4] != "aws4_request" {
		return errorf(codeIncompleteSignature, "Credential must be <access key id>/<YYYYMMDD>/<region>/<service>/aws4_request, not %q", v)
	}
	s.accessKey, s.date, s.region, s.service = parts[0], parts[1], parts[2], parts[3]
	return nil
}

// verify checks s against creds for request r with body body, at now.
// ec2 selects EC2's code for an expired request.
func (s *signature) verify(r *http.Request, body []byte, creds *Credentials, now time.Time, ec2 bool) *apiError {
	if s.presigned {
		return errorf(codeIncompleteSignature, "query-string (presigned) signatures are not verified by gwlbctl; sign with the Authorization header")
	}
	if s.accessKey != creds.AccessKeyID {
		return errorf(codeInvalidClientTokenID, "The security token included in the request is invalid.")
	}
	amzDate := r.Header.Get("X-Amz-Date")
	t, err := time.Parse("20060102T150405Z", amzDate)
	if err != nil {
		return errorf(codeIncompleteSignature, "Authorization header requires existence of a valid 'X-Amz-Date' header (YYYYMMDDTHHMMSSZ)")
	}
	if skew := now.Sub(t); skew > maxClockSkew || skew < -maxClockSkew {
		if ec2 {
			return errorf(codeRequestExpired, "Request has expired: its time %s is more than %s from the server's %s", amzDate, maxClockSkew, now.UTC().Format("20060102T150405Z"))
		}
		return errorf(codeSignatureDoesNotMatch, "Signature expired: %s is now earlier than %s (%s - %s.)", amzDate, now.Add(-maxClockSkew).UTC().Format("20060102T150405Z"), now.UTC().Format("20060102T150405Z"), maxClockSkew)
	}
	if t.Format("20060102") != s.date {
		return errorf(codeSignatureDoesNotMatch, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s'", s.date, t.Format("20060102"))
	}
	payload := r.Header.Get("X-Amz-Content-Sha256")
	sum := sha256.Sum256(body)
	bodyHash := hex.EncodeToString(sum[:])
	if payload == "" {
		payload = bodyHash
	} else if payload != "UNSIGNED-PAYLOAD" && payload != bodyHash {
		return errorf(codeSignatureDoesNotMatch, "The provided 'x-amz-content-sha256' header does not match what was computed.")
	}
	canonical := strings.Join([]string{
		r.Method,
		canonicalURI(r.URL),
		canonicalQuery(r.URL.RawQuery),
		canonicalHeaders(r, s.signedHeaders),
		strings.Join(s.signedHeaders, ";"),
		payload,
	}, "\n")
	crSum := sha256.Sum256([]byte(canonical))
	toSign := sigV4Algorithm + "\n" + amzDate + "\n" + s.scope() + "\n" + hex.EncodeToString(crSum[:])
	key := hmacSHA256([]byte("AWS4"+creds.SecretAccessKey), s.date)
	key = hmacSHA256(key, s.region)
	key = hmacSHA256(key, s.service)
	key = hmacSHA256(key, "aws4_request")
	want := hex.EncodeToString(hmacSHA256(key, toSign))
	if !hmac.Equal([]byte(want), []byte(s.signature)) {
		return errorf(codeSignatureDoesNotMatch, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
	}
	return nil
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// uriEncode escapes s as SigV4 requires: everything but A-Z a-z 0-9 - _ . ~.
func uriEncode(s string, keepSlash bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' || (keepSlash && c == '/') {
			b.WriteByte(c)
			continue
		}
		b.WriteString("%" + strings.ToUpper(strconv.FormatUint(uint64(c)>>4, 16)) + strings.ToUpper(strconv.FormatUint(uint64(c)&15, 16)))
	}
	return b.String()
}

func canonicalURI(u *url.URL) string {
	p := u.Path
	if p == "" {
		return "/"
	}
	return uriEncode(p, true)
}

func canonicalQuery(raw string) string {
	q, _ := url.ParseQuery(raw)
	var pairs []string
	for k, vs := range q {
		for _, v := range vs {
			pairs = append(pairs, uriEncode(k, false)+"="+uriEncode(v, false))
		}
	}
	sort.Strings(pairs)
	return strings.Join(pairs, "&")
}

func canonicalHeaders(r *http.Request, names []string) string {
	var b strings.Builder
	for _, n := range names {
		var v string
		switch n {
		case "host":
			v = r.Host
		case "content-length":
			v = r.Header.Get("Content-Length")
			if v == "" && r.ContentLength >= 0 {
				v = strconv.FormatInt(r.ContentLength, 10)
			}
		default:
			vals := slices.Clone(r.Header.Values(n))
			for i := range vals {
				vals[i] = strings.Join(strings.Fields(vals[i]), " ")
			}
			v = strings.Join(vals, ",")
		}
		b.WriteString(n + ":" + strings.TrimSpace(v) + "\n")
	}
	return b.String()
}
