import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Navigate, useLocation } from 'react-router';
import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { ApiError, errorMessage } from './api';
import { useSession } from './session';
import { pageTitle, S } from './strings';

export function LoginPage() {
  const { session, login, notice } = useSession();
  const location = useLocation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [missing, setMissing] = useState<{ email?: boolean; password?: boolean }>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const alertRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    document.title = pageTitle(S.login.title);
  }, []);
  useEffect(() => {
    if (error) alertRef.current?.focus();
  }, [error]);

  if (session) return <Navigate to={(location.state as { from?: string } | null)?.from ?? '/'} replace />;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const nextMissing = { email: !email.trim(), password: !password };
    setMissing(nextMissing);
    if (nextMissing.email || nextMissing.password) return;
    setBusy(true);
    setError(null);
    try {
      await login(email.trim(), password);
    } catch (caught) {
      // 401, 423 (locked, with the unlock time) and 429 carry a French message meant for the user.
      setError(caught instanceof ApiError ? caught.message : errorMessage(caught));
      setPassword('');
    } finally {
      setBusy(false);
    }
  }

  return (
    <Center mih="100vh" p="md" component="main" bg="gray.0">
      <Paper withBorder shadow="sm" p="xl" w={420} maw="100%" radius="md">
        <Stack gap="md">
          <div>
            <Text fw={700} fz={28} c="blue.9">
              {S.appName}
            </Text>
            <Text size="sm">{S.appTagline}</Text>
          </div>
          <Title order={1} fz="h2">
            {S.login.title}
          </Title>
          {notice && !error && (
            <Alert color="blue" role="status">
              {notice}
            </Alert>
          )}
          {error && (
            <Alert ref={alertRef} tabIndex={-1} color="red" role="alert" data-testid="login-error">
              {error}
            </Alert>
          )}
          <form onSubmit={submit} noValidate>
            <Stack gap="md">
              <Text size="sm">{S.login.intro}</Text>
              <TextInput
                label={S.login.email}
                type="email"
                autoComplete="username"
                required
                value={email}
                onChange={(e) => setEmail(e.currentTarget.value)}
                error={missing.email ? S.login.required : undefined}
              />
              <PasswordInput
                label={S.login.password}
                autoComplete="current-password"
                required
                value={password}
                onChange={(e) => setPassword(e.currentTarget.value)}
                error={missing.password ? S.login.required : undefined}
              />
              <Button type="submit" loading={busy} loaderProps={{ 'aria-label': S.login.submitting }}>
                {S.login.submit}
              </Button>
            </Stack>
          </form>
        </Stack>
      </Paper>
    </Center>
  );
}
