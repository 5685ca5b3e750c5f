package api

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/present"
	"github.com/criachat/criachat/internal/store"
)

// accountJSON is Chatwoot's account object (GET /api/v1/accounts/{id}).
type accountJSON struct {
	ID                    int64                  `json:"id"`
	Name                  string                 `json:"name"`
	Locale                string                 `json:"locale"`
	Domain                *string                `json:"domain"`
	SupportEmail          *string                `json:"support_email"`
	Status                criachat.AccountStatus `json:"status"`
	Features              map[string]bool        `json:"features"`
	Settings              map[string]any         `json:"settings"`
	CreatedAt             string                 `json:"created_at"`
	CacheKeys             map[string]string      `json:"cache_keys"`
	CustomAttributes      map[string]any         `json:"custom_attributes"`
	LatestChatwootVersion string                 `json:"latest_chatwoot_version"`
}

func presentAccount(a *criachat.Account) accountJSON {
	return accountJSON{
		ID: a.ID, Name: a.Name, Locale: a.Locale, Domain: present.NullString(a.Domain), SupportEmail: present.NullString(a.SupportEmail),
		Status: a.Status, Features: a.Features, Settings: a.Settings, CreatedAt: present.ISOTime(a.CreatedAt),
		CacheKeys: cacheKeys(a), CustomAttributes: a.CustomAttributes, LatestChatwootVersion: Version,
	}
}

// cacheKeys tell the dashboard when to refetch labels, inboxes and teams.
// Until those resources exist they change with the account itself.
func cacheKeys(a *criachat.Account) map[string]string {
	v := strconv.FormatInt(a.UpdatedAt.UnixMilli(), 10)
	return map[string]string{"label": v, "inbox": v, "team": v}
}

func (s *Server) showAccount(w http.ResponseWriter, r *http.Request) error {
	return ok(w, presentAccount(caller(r).member.Account))
}

func (s *Server) showCacheKeys(w http.ResponseWriter, r *http.Request) error {
	return ok(w, map[string]any{"cache_keys": cacheKeys(caller(r).member.Account)})
}

func (s *Server) updateActiveAt(w http.ResponseWriter, r *http.Request) error {
	m := caller(r).member
	now := s.now()
	m.ActiveAt = &now
	if err := s.store.Tx(r.Context(), func(q *store.Queries) error { return q.UpdateAccountUser(r.Context(), m) }); err != nil {
		return err
	}
	return okEmpty(w)
}

// accountParams is the body of PATCH /api/v1/accounts/{id}: top-level fields.
type accountParams struct {
	Name                     *string     `json:"name"`
	Locale                   *string     `json:"locale"`
	Domain                   *string     `json:"domain"`
	SupportEmail             *string     `json:"support_email"`
	AutoResolveAfter         flexNullInt `json:"auto_resolve_after"`
	AutoResolveMessage       *string     `json:"auto_resolve_message"`
	AutoResolveIgnoreWaiting *flexBool   `json:"auto_resolve_ignore_waiting"`
	AutoResolveLabel         *string     `json:"auto_resolve_label"`
	AudioTranscriptions      *flexBool   `json:"audio_transcriptions"`
	Industry                 *string     `json:"industry"`
	CompanySize              *string     `json:"company_size"`
	Timezone                 *string     `json:"timezone"`
	ReferralSource           *string     `json:"referral_source"`
	UserRole                 *string     `json:"user_role"`
	Website                  *string     `json:"website"`
}

// Bounds of auto_resolve_after in minutes (Chatwoot: 10 minutes to 999 days).
const (
	minAutoResolve = 10
	maxAutoResolve = 1439856
)

func (p accountParams) apply(a *criachat.Account) error {
	setStr(&a.Name, p.Name)
	setStr(&a.Locale, p.Locale)
	setStr(&a.Domain, p.Domain)
	setStr(&a.SupportEmail, p.SupportEmail)
	if len(a.Locale) > 10 {
		return criachat.Invalid("Locale is invalid", "locale")
	}
	if p.AutoResolveAfter.set {
		if v := p.AutoResolveAfter.v; v == nil {
			delete(a.Settings, "auto_resolve_after")
		} else if *v < minAutoResolve || *v > maxAutoResolve {
			return criachat.Invalid(fmt.Sprintf("Auto resolve after must be between %d and %d minutes", minAutoResolve, maxAutoResolve), "auto_resolve_after")
		} else {
			a.Settings["auto_resolve_after"] = *v
		}
	}
	putString(a.Settings, "auto_resolve_message", p.AutoResolveMessage)
	putString(a.Settings, "auto_resolve_label", p.AutoResolveLabel)
	putBool(a.Settings, "auto_resolve_ignore_waiting", p.AutoResolveIgnoreWaiting)
	putBool(a.Settings, "audio_transcriptions", p.AudioTranscriptions)
	putString(a.CustomAttributes, "industry", p.Industry)
	putString(a.CustomAttributes, "company_size", p.CompanySize)
	putString(a.CustomAttributes, "timezone", p.Timezone)
	putString(a.CustomAttributes, "referral_source", p.ReferralSource)
	putString(a.CustomAttributes, "user_role", p.UserRole)
	putString(a.CustomAttributes, "website", p.Website)
	return nil
}

// putString sets m[key] when v is given.
func putString(m map[string]any, key string, v *string) {
	if v != nil {
		m[key] = *v
	}
}

// putBool sets m[key] when v is given.
func putBool(m map[string]any, key string, v *flexBool) {
	if v != nil {
		m[key] = bool(*v)
	}
}

func setStr(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

func (s *Server) updateAccount(w http.ResponseWriter, r *http.Request) error {
	var p accountParams
	if err := decode(r, "", &p); err != nil {
		return err
	}
	ctx := r.Context()
	var out *criachat.Account
	err := s.store.Tx(ctx, func(q *store.Queries) error {
		a, err := q.Account(ctx, caller(r).member.AccountID)
		if err != nil {
			return err
		}
		before := fmt.Sprint(*a)
		if err := p.apply(a); err != nil {
			return err
		}
		out = a
		if fmt.Sprint(*a) == before { // like Rails, an update that changes nothing writes nothing
			return nil
		}
		return q.UpdateAccount(ctx, a)
	})
	if err != nil {
		return err
	}
	return ok(w, presentAccount(out))
}
