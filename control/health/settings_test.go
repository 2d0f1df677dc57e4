package health

import (
	"strings"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
)

func TestDefaultSettings(t *testing.T) {
	s := DefaultSettings()
	want := Settings{Protocol: "TCP", Port: 80, Interval: 10 * time.Second, Timeout: 5 * time.Second, HealthyThreshold: 5, UnhealthyThreshold: 2}
	if s != want {
		t.Fatalf("DefaultSettings() = %+v, want %+v", s, want)
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestSettingsOf(t *testing.T) {
	for _, tc := range []struct {
		name string
		tg   control.TargetGroup
		want Settings
	}{
		{
			name: "empty fields take GWLB's defaults",
			tg:   control.TargetGroup{TargetGroupName: "tg"},
			want: DefaultSettings(),
		},
		{
			name: "as create-target-group stores the defaults",
			tg: control.TargetGroup{TargetGroupName: "tg", HealthCheckProtocol: "TCP", HealthCheckPort: "80", HealthCheckEnabled: true,
				HealthCheckIntervalSeconds: 10, HealthCheckTimeoutSeconds: 5, HealthyThresholdCount: 5, UnhealthyThresholdCount: 2},
			want: DefaultSettings(),
		},
		{
			name: "HTTP without path and matcher takes / and 200-399",
			tg:   control.TargetGroup{TargetGroupName: "tg", HealthCheckProtocol: "http", HealthCheckPort: "8080"},
			want: Settings{Protocol: "HTTP", Port: 8080, Path: "/", Matcher: DefaultMatcher(), Interval: 10 * time.Second, Timeout: 5 * time.Second, HealthyThreshold: 5, UnhealthyThreshold: 2},
		},
		{
			name: "HTTPS with everything set",
			tg: control.TargetGroup{TargetGroupName: "tg", HealthCheckProtocol: "HTTPS", HealthCheckPort: "443", HealthCheckPath: "/healthz?deep=1",
				Matcher: &control.Matcher{HttpCode: "200,202"}, HealthCheckIntervalSeconds: 30, HealthCheckTimeoutSeconds: 30, HealthyThresholdCount: 10, UnhealthyThresholdCount: 3},
			want: Settings{Protocol: "HTTPS", Port: 443, Path: "/healthz?deep=1", Matcher: mustMatcher("200,202"), Interval: 30 * time.Second, Timeout: 30 * time.Second, HealthyThreshold: 10, UnhealthyThreshold: 3},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := SettingsOf(&tc.tg)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestSettingsOfInvalid(t *testing.T) {
	for _, tc := range []struct {
		tg      control.TargetGroup
		wantErr string
	}{
		{control.TargetGroup{HealthCheckPort: "traffic-port"}, "traffic-port"},
		{control.TargetGroup{HealthCheckPort: "http"}, `port "http" is not a number`},
		{control.TargetGroup{HealthCheckPort: "70000"}, "port 70000 is outside 1-65535"},
		{control.TargetGroup{HealthCheckProtocol: "UDP"}, `protocol "UDP" is not supported`},
		{control.TargetGroup{HealthCheckProtocol: "HTTP", Matcher: &control.Matcher{HttpCode: "404"}}, "code 404 is outside 200-399"},
		{control.TargetGroup{HealthCheckIntervalSeconds: 4}, "interval 4s must be whole seconds from 5s to 5m0s"},
		{control.TargetGroup{HealthCheckTimeoutSeconds: 11}, "interval 10s must be at least the timeout 11s"},
	} {
		tc.tg.TargetGroupName = "tg-bad"
		_, err := SettingsOf(&tc.tg)
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "tg-bad") {
			t.Errorf("SettingsOf(%+v): error %v, want one naming the group and containing %q", tc.tg, err, tc.wantErr)
		}
	}
}

func mustMatcher(s string) Matcher {
	m, err := ParseMatcher(s)
	if err != nil {
		panic(err)
	}
	return m
}

// TestSettingsRanges walks every range's edges: the last value inside
// passes, the first outside fails with a message naming the range.
func TestSettingsRanges(t *testing.T) {
	base := DefaultSettings()
	base.Interval = 300 * time.Second // leave room for every timeout
	for _, tc := range []struct {
		name    string
		set     func(*Settings)
		wantErr string // "" valid
	}{
		{"timeout 2s", func(s *Settings) { s.Timeout = 2 * time.Second }, ""},
		{"timeout 120s", func(s *Settings) { s.Timeout = 120 * time.Second }, ""},
		{"timeout 1s", func(s *Settings) { s.Timeout = time.Second }, "timeout 1s must be whole seconds from 2s to 2m0s"},
		{"timeout 121s", func(s *Settings) { s.Timeout = 121 * time.Second }, "timeout 2m1s must be whole seconds from 2s to 2m0s"},
		{"timeout 2.5s", func(s *Settings) { s.Timeout = 2500 * time.Millisecond }, "timeout 2.5s must be whole seconds"},
		{"interval 5s", func(s *Settings) { s.Interval, s.Timeout = 5*time.Second, 5*time.Second }, ""},
		{"interval 300s", func(s *Settings) { s.Interval = 300 * time.Second }, ""},
		{"interval 4s", func(s *Settings) { s.Interval, s.Timeout = 4*time.Second, 2*time.Second }, "interval 4s must be whole seconds from 5s to 5m0s"},
		{"interval 301s", func(s *Settings) { s.Interval = 301 * time.Second }, "interval 5m1s must be whole seconds from 5s to 5m0s"},
		{"interval equals timeout", func(s *Settings) { s.Interval, s.Timeout = 60*time.Second, 60*time.Second }, ""},
		{"interval below timeout", func(s *Settings) { s.Interval, s.Timeout = 10*time.Second, 11*time.Second }, "interval 10s must be at least the timeout 11s"},
		{"healthy 2", func(s *Settings) { s.HealthyThreshold = 2 }, ""},
		{"healthy 10", func(s *Settings) { s.HealthyThreshold = 10 }, ""},
		{"healthy 1", func(s *Settings) { s.HealthyThreshold = 1 }, "healthy threshold 1 is outside 2-10"},
		{"healthy 11", func(s *Settings) { s.HealthyThreshold = 11 }, "healthy threshold 11 is outside 2-10"},
		{"unhealthy 2", func(s *Settings) { s.UnhealthyThreshold = 2 }, ""},
		{"unhealthy 10", func(s *Settings) { s.UnhealthyThreshold = 10 }, ""},
		{"unhealthy 1", func(s *Settings) { s.UnhealthyThreshold = 1 }, "unhealthy threshold 1 is outside 2-10"},
		{"unhealthy 11", func(s *Settings) { s.UnhealthyThreshold = 11 }, "unhealthy threshold 11 is outside 2-10"},
		{"port 1", func(s *Settings) { s.Port = 1 }, ""},
		{"port 65535", func(s *Settings) { s.Port = 65535 }, ""},
		{"port 0", func(s *Settings) { s.Port = 0 }, "port 0 is outside 1-65535"},
		{"port 65536", func(s *Settings) { s.Port = 65536 }, "port 65536 is outside 1-65535"},
		{"protocol", func(s *Settings) { s.Protocol = "tcp" }, `protocol "tcp" is not supported`},
		{"TCP with a path", func(s *Settings) { s.Path = "/" }, "a health check path or matcher needs protocol HTTP or HTTPS, not TCP"},
		{"HTTP without a matcher", func(s *Settings) { s.Protocol, s.Path = "HTTP", "/" }, "an HTTP health check needs a matcher"},
		{"HTTP path without /", func(s *Settings) { s.Protocol, s.Path, s.Matcher = "HTTP", "health", DefaultMatcher() }, `path "health" must start with /`},
		{"HTTP path with a line break", func(s *Settings) {
			s.Protocol, s.Path, s.Matcher = "HTTP", "/a\r\nX-Injected: 1", DefaultMatcher()
		}, "must not contain spaces or line breaks"},
		{"HTTPS", func(s *Settings) { s.Protocol, s.Path, s.Matcher = "HTTPS", "/", DefaultMatcher() }, ""},
	} {
		s := base
		tc.set(&s)
		err := s.Validate()
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.wantErr)
		}
	}
	// Every problem is reported at once.
	err := Settings{}.Validate()
	if err == nil || strings.Count(err.Error(), "\n") < 5 {
		t.Errorf("zero Settings: want every field reported, got %v", err)
	}
}
