// Mints a Chatter access token on an app's backend with golang-jwt
// (https://github.com/golang-jwt/jwt).
//
//	go mod tidy
//	CHATTER_JWT_SECRET=... go run . <user id> "<display name>"
//
// The server accepts HS256 tokens signed with its CHATTER_JWT_SECRET that carry `sub` (the user
// id, 1-128 characters), `name` (1-40 characters) and `exp`, living at most CHATTER_MAX_TOKEN_TTL
// (30 days by default).
package main

import (
	"fmt"
	"os"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// MintToken returns a token for one user of your app, valid for ttl.
func MintToken(secret, userID, name string, ttl time.Duration) (string, error) {
	now := time.Now()
	claims := jwt.MapClaims{
		"sub":  userID,
		"name": name,
		"iat":  now.Unix(),
		"exp":  now.Add(ttl).Unix(),
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(secret))
}

func main() {
	secret := os.Getenv("CHATTER_JWT_SECRET")
	if secret == "" || len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, `usage: CHATTER_JWT_SECRET=... go run . <user id> "<display name>"`)
		os.Exit(2)
	}
	token, err := MintToken(secret, os.Args[1], os.Args[2], time.Hour)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(token)
}
