"""The administration commands: users and configuration checks."""

import os
import stat
import unittest

from harness import Tern


class UserCommands(unittest.TestCase):
    def test_add_list_passwd_del(self):
        with Tern() as t:
            r = t.user("add", "Alice@Example.test", "--password-stdin", input="s3cret\n")
            self.assertIn("alice@example.test", r.stdout + r.stderr)
            self.assertIn("alice@example.test", t.user("list").stdout)
            # Passwords are stored hashed (argon2id), never in clear, in a private file.
            path = os.path.join(t.data, "users")
            with open(path) as f:
                content = f.read()
            self.assertNotIn("s3cret", content)
            self.assertIn("$argon2id$", content)
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode) & 0o077, 0)
            t.user("passwd", "alice@example.test", "--password-stdin", input="other\n")
            with open(path) as f:
                self.assertNotEqual(f.read(), content)
            self.assertNotEqual(t.user("add", "alice@example.test", "--password-stdin",
                                       input="x\n", check=False).returncode, 0)
            t.user("del", "alice@example.test")
            self.assertNotIn("alice@example.test", t.user("list").stdout)
            self.assertNotEqual(t.user("del", "alice@example.test", check=False).returncode, 0)

    def test_refuses_foreign_domain_and_password_argument(self):
        with Tern() as t:
            self.assertNotEqual(t.user("add", "bob@elsewhere.test", "--password-stdin", input="x\n",
                                       check=False).returncode, 0)
            self.assertNotEqual(t.user("add", "bob@example.test", check=False).returncode, 0)


class ConfigCheck(unittest.TestCase):
    def test_valid_config_prints_effective(self):
        with Tern() as t:
            r = t.cli("config", "check", "--config", t.config_path)
            self.assertIn("message_size", r.stdout)
            self.assertIn("example.test", r.stdout)

    def test_embedded_default(self):
        with Tern() as t:
            r = t.cli("config", "check")
            self.assertIn("127.0.0.1:2525", r.stdout)

    def test_errors_name_key_and_line(self):
        with Tern() as t:
            with open(t.config_path, "w") as f:
                f.write('[server]\nhostname = "mx.example.test"\nbogus = 1\n\n[limits]\nrecipients = "many"\n')
            r = t.cli("config", "check", "--config", t.config_path, check=False)
            self.assertNotEqual(r.returncode, 0)
            out = r.stdout + r.stderr
            self.assertIn("bogus", out)
            self.assertIn(":3", out)
            self.assertIn("limits.recipients", out)
            self.assertIn(":6", out)
            # serve refuses to start on a broken configuration, with the same messages.
            r = t.cli("serve", "--config", t.config_path, check=False)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("bogus", r.stdout + r.stderr)


if __name__ == "__main__":
    unittest.main()
