import { describe as suite, expect, it } from "vitest";
import { ApiError, describe, messageOf } from "./errors";

suite("describe", () => {
  it("lists every password rule broken", () => {
    const error = describe(422, {
      detail: "The password does not meet the password rules",
      code: "weak_password",
      errors: [
        { rule: "min_length", message: "At least 8 characters." },
        { rule: "common", message: "This password is too common." },
        { rule: "numeric", message: "The password cannot be entirely numeric." },
      ],
    });
    expect(error.message).toBe("The password does not meet the password rules.");
    expect(error.code).toBe("weak_password");
    expect(error.problems).toEqual([
      "At least 8 characters.",
      "This password is too common.",
      "The password cannot be entirely numeric.",
    ]);
  });

  it("names the field of each validation error in words", () => {
    const error = describe(422, {
      detail: "body.email: value is not a valid email address",
      code: "validation_error",
      errors: [{ loc: ["body", "email"], msg: "value is not a valid email address", type: "value_error" }],
    });
    expect(error.message).toBe("Some of the values are not valid.");
    expect(error.problems).toEqual(["Email: value is not a valid email address"]);
  });

  it("says when to retry after a 429", () => {
    const error = describe(429, { detail: "Too many requests", code: "rate_limited" }, new Headers({ "Retry-After": "12" }));
    expect(error.message).toBe("Too many requests. Try again in 12 seconds.");
  });

  it("never shows raw JSON, whatever the body", () => {
    for (const body of [null, "<html>oops</html>", { unexpected: { nested: true } }, []]) {
      const message = describe(502, body).message;
      expect(message).not.toMatch(/[{}<>[\]]/);
      expect(message).toBe("A service did not answer properly. Try again shortly.");
    }
    expect(describe(418, null).message).toBe("The request failed (status 418).");
  });

  it("turns a failed fetch into a sentence about the connection", () => {
    expect(messageOf(new TypeError("Failed to fetch"))).toBe(
      "Cannot reach the service desk. Check your connection.",
    );
    expect(messageOf(new ApiError(403, "forbidden", "You may not do this."))).toBe("You may not do this.");
  });
});
