package store

import (
	"context"

	"github.com/criachat/criachat/internal/criachat"
)

// Permissible types a platform app can own.
const (
	PermissibleAccount = "Account"
	PermissibleUser    = "User"
)

// CreatePlatformApp inserts a platform app.
func (q *Queries) CreatePlatformApp(ctx context.Context, app *criachat.PlatformApp) error {
	if app.Name == "" {
		return criachat.Invalid("Name can't be blank", "name")
	}
	app.CreatedAt = q.now().UTC().Truncate(timePrecision)
	return q.d.translate(q.queryRow(ctx, `INSERT INTO platform_apps (name, created_at) VALUES (?, ?) RETURNING id`,
		app.Name, micros(app.CreatedAt)).Scan(&app.ID))
}

// PlatformApp returns a platform app.
func (q *Queries) PlatformApp(ctx context.Context, id int64) (*criachat.PlatformApp, error) {
	app := &criachat.PlatformApp{}
	var created int64
	if err := q.scanOne(q.queryRow(ctx, `SELECT id, name, created_at FROM platform_apps WHERE id = ?`, id),
		"platform app", &app.ID, &app.Name, &created); err != nil {
		return nil, err
	}
	app.CreatedAt = fromMicros(created)
	return app, nil
}

// AddPermissible records that a platform app may manage a resource.
func (q *Queries) AddPermissible(ctx context.Context, appID int64, typ string, id int64) error {
	_, err := q.exec(ctx, `INSERT INTO platform_app_permissibles (platform_app_id, permissible_type, permissible_id)
		VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, appID, typ, id)
	return err
}

// Permissible reports whether a platform app may manage a resource.
func (q *Queries) Permissible(ctx context.Context, appID int64, typ string, id int64) (bool, error) {
	var n int
	err := q.queryRow(ctx, `SELECT COUNT(*) FROM platform_app_permissibles
		WHERE platform_app_id = ? AND permissible_type = ? AND permissible_id = ?`, appID, typ, id).Scan(&n)
	return n > 0, q.d.translate(err)
}

// removePermissibles forgets a deleted resource.
func (q *Queries) removePermissibles(ctx context.Context, typ string, id int64) error {
	_, err := q.exec(ctx, `DELETE FROM platform_app_permissibles WHERE permissible_type = ? AND permissible_id = ?`, typ, id)
	return err
}
