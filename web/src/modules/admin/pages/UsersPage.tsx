import { useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useDebouncedValue } from '@mantine/hooks';
import { Badge, Button, Checkbox, Group, Modal, PasswordInput, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { api, ApiError, type FieldError } from '../../../app/api';
import { ErrorSummary, ListFooter, LoadError, Loading, PageHeader, formatDateTime } from '../../../app/components';
import { useCurrentSession, useMemberScope, usePermission } from '../../../app/session';
import type { Page } from '../../../app/types';
import { A } from '../strings';
import { TONE } from '../../../app/theme';

interface User {
  id: string;
  email: string;
  displayName: string;
  role: string;
  memberId: string;
  active: boolean;
  lockedUntil: string | null;
  lastLoginAt: string | null;
}

interface Role {
  id: string;
  label: string;
}

const PAGE_SIZE = 25;
const LABELS: Record<string, string> = {
  '/body/email': A.form.email,
  '/body/displayName': A.form.displayName,
  '/body/password': A.form.password,
  '/body/role': A.form.role,
  '/body/memberId': A.form.member,
};
const fieldId = (field: string) => `user-${field.replace(/^\/body\//, '')}`;

function useRoles() {
  return useQuery({ queryKey: ['roles'], queryFn: () => api<Role[]>('/api/roles'), staleTime: Infinity });
}

function MemberField({ value, onChange, error }: { value: string; onChange: (v: string) => void; error?: string | undefined }) {
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 250);
  const { data } = useQuery({ queryKey: ['members', 'select', debounced], queryFn: () => api<Page<{ id: string; name: string }>>('/api/members', { query: { q: debounced, pageSize: 30, sort: 'name' } }) });
  const { data: current } = useQuery({ queryKey: ['members', 'one', value], queryFn: () => api<{ id: string; name: string }>(`/api/members/${value}`), enabled: !!value });
  const options = (data?.items ?? []).map((m) => ({ value: m.id, label: m.name }));
  if (current && !options.some((o) => o.value === current.id)) options.unshift({ value: current.id, label: current.name });
  return <Select id={fieldId('/body/memberId')} label={A.form.member} required searchable data={options} value={value} onChange={(v) => v && onChange(v)} onSearchChange={setSearch} filter={({ options: all }) => all} allowDeselect={false} error={error} comboboxProps={{ withinPortal: true }} />;
}

/** Creation when `user` is undefined, else edition of name, role, member, activation and password. */
function UserForm({ user, onDone }: { user?: User; onDone: () => void }) {
  const session = useCurrentSession();
  const memberScope = useMemberScope();
  const queryClient = useQueryClient();
  const { data: roles = [] } = useRoles();
  const [values, setValues] = useState({
    email: user?.email ?? '',
    displayName: user?.displayName ?? '',
    password: '',
    role: user?.role ?? 'member_agent',
    memberId: user?.memberId ?? memberScope ?? session.user.memberId,
    active: user?.active ?? true,
  });
  const [failure, setFailure] = useState<{ message: string; details: FieldError[] } | null>(null);
  const errorOf = (field: string) => failure?.details.filter((d) => d.field === `/body/${field}`).map((d) => d.message).join(' ; ') || undefined;
  const save = useMutation({
    mutationFn: () => {
      if (!user) return api<User>('/api/users', { method: 'POST', body: { email: values.email.trim(), displayName: values.displayName, password: values.password, role: values.role, memberId: values.memberId } });
      const changes: Record<string, unknown> = {};
      if (values.displayName !== user.displayName) changes.displayName = values.displayName;
      if (values.role !== user.role) changes.role = values.role;
      if (values.memberId !== user.memberId) changes.memberId = values.memberId;
      if (values.active !== user.active) changes.active = values.active;
      if (values.password) changes.password = values.password;
      return Object.keys(changes).length ? api<User>(`/api/users/${user.id}`, { method: 'PATCH', body: changes }) : Promise.resolve(user);
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ predicate: (q) => ['users', 'admin-figures', 'audit'].includes(String(q.queryKey[0])) });
      onDone();
    },
    onError: (error) => setFailure(error instanceof ApiError ? { message: error.message, details: error.details } : { message: String(error), details: [] }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setFailure(null);
    save.mutate();
  };
  return (
    <form onSubmit={submit} noValidate>
      {failure && <ErrorSummary title={A.form.errorsTitle} message={failure.message} details={failure.details} labels={LABELS} fieldId={fieldId} />}
      <Stack gap="sm">
        <TextInput id={fieldId('/body/email')} label={A.form.email} type="email" required disabled={!!user} value={values.email} onChange={(e) => setValues({ ...values, email: e.currentTarget.value })} error={errorOf('email')} />
        <TextInput id={fieldId('/body/displayName')} label={A.form.displayName} required value={values.displayName} onChange={(e) => setValues({ ...values, displayName: e.currentTarget.value })} error={errorOf('displayName')} />
        <PasswordInput id={fieldId('/body/password')} label={user ? A.form.newPassword : A.form.password} description={user ? A.form.newPasswordHint : A.form.passwordHint} required={!user} autoComplete="new-password" value={values.password} onChange={(e) => setValues({ ...values, password: e.currentTarget.value })} error={errorOf('password')} />
        <Select id={fieldId('/body/role')} label={A.form.role} required data={roles.map((r) => ({ value: r.id, label: r.label }))} value={values.role} onChange={(v) => v && setValues({ ...values, role: v })} allowDeselect={false} error={errorOf('role')} comboboxProps={{ withinPortal: true }} />
        <MemberField value={values.memberId} onChange={(memberId) => setValues({ ...values, memberId })} error={errorOf('memberId')} />
        {user && <Checkbox label={A.form.active} checked={values.active} onChange={(e) => setValues({ ...values, active: e.currentTarget.checked })} />}
        <Group justify="flex-end" mt="sm">
          <Button variant="default" onClick={onDone}>{A.form.cancel}</Button>
          <Button type="submit" loading={save.isPending}>{user ? A.form.save : A.form.create}</Button>
        </Group>
      </Stack>
    </form>
  );
}

export function UsersPage() {
  const [params, setParams] = useSearchParams();
  const memberId = useMemberScope();
  const mayCreate = usePermission('user', 'create');
  const mayUpdate = usePermission('user', 'update');
  const { data: roles = [] } = useRoles();
  const [search, setSearch] = useState(params.get('q') ?? '');
  const [debounced] = useDebouncedValue(search.trim(), 300);
  const role = params.get('role') ?? '';
  const page = Number(params.get('page') ?? '1') || 1;
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const query = { q: debounced, role, memberId, page, pageSize: PAGE_SIZE, sort: 'displayName' };
  const { data, error, refetch } = useQuery({ queryKey: ['users', query], queryFn: () => api<Page<User>>('/api/users', { query }), placeholderData: keepPreviousData });
  const roleLabel = (id: string) => roles.find((r) => r.id === id)?.label ?? id;
  const setParam = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    if (key !== 'page') next.delete('page');
    setParams(next, { replace: true });
  };

  return (
    <>
      <PageHeader title={A.users.title} actions={mayCreate && <Button onClick={() => setEditing('new')}>{A.users.create}</Button>}>
        <Text>{A.users.intro}</Text>
      </PageHeader>
      <Group align="flex-end" gap="md" mb="md" role="search">
        <TextInput label={A.users.search} description={A.users.searchHint} type="search" value={search} onChange={(e) => setSearch(e.currentTarget.value)} w={280} />
        <Select label={A.users.role} data={[{ value: '', label: A.users.allRoles }, ...roles.map((r) => ({ value: r.id, label: r.label }))]} value={role} onChange={(v) => setParam('role', v ?? '')} allowDeselect={false} w={260} />
      </Group>
      {error && <LoadError error={error} onRetry={() => void refetch()} />}
      {!data && !error && <Loading />}
      {data && (
        <>
          <Table.ScrollContainer minWidth={800}>
            <Table striped highlightOnHover data-testid="users-table">
              <Table.Caption className="visually-hidden">{A.users.caption}</Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  {Object.values(A.users.columns).filter((c) => mayUpdate || c !== A.users.columns.actions).map((c) => <Table.Th key={c} scope="col">{c}</Table.Th>)}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.items.map((u) => (
                  <Table.Tr key={u.id}>
                    <Table.Td>{u.displayName}</Table.Td>
                    <Table.Td>{u.email}</Table.Td>
                    <Table.Td>{roleLabel(u.role)}</Table.Td>
                    <Table.Td>{u.memberId}</Table.Td>
                    <Table.Td>
                      {u.lockedUntil ? <Badge color={TONE.warning} variant="filled" tt="none">{A.users.locked(formatDateTime(u.lockedUntil))}</Badge> : u.active ? <Badge color={TONE.success} variant="filled" tt="none">{A.users.active}</Badge> : <Badge color="gray.8" variant="filled" tt="none">{A.users.inactive}</Badge>}
                    </Table.Td>
                    <Table.Td>{formatDateTime(u.lastLoginAt)}</Table.Td>
                    {mayUpdate && (
                      <Table.Td>
                        <Button size="xs" variant="outline" onClick={() => setEditing(u)} aria-label={A.users.edit(u.displayName)}>{A.users.editShort}</Button>
                      </Table.Td>
                    )}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <ListFooter total={data.total} page={data.page} pageSize={data.pageSize} onPage={(n) => setParam('page', String(n))} />
        </>
      )}
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' ? A.form.createTitle : editing ? A.form.editTitle(editing.displayName) : ''} closeButtonProps={{ 'aria-label': A.form.close }} size="lg">
        {editing !== null && <UserForm key={editing === 'new' ? 'new' : editing.id} {...(editing !== 'new' && { user: editing })} onDone={() => setEditing(null)} />}
      </Modal>
    </>
  );
}
