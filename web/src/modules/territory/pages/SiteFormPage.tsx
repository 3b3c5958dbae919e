import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useDebouncedValue } from '@mantine/hooks';
import { Button, Grid, Group, Select, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { CircleMarker, useMapEvents } from 'react-leaflet';
import { api, ApiError, type FieldError } from '../../../app/api';
import { ErrorSummary, LoadError, Loading, PageHeader } from '../../../app/components';
import { isSmoStaff, useCurrentSession, useSession } from '../../../app/session';
import type { Page } from '../../../app/types';
import { BaseMap, CommuneOutlines } from '../map';
import { T } from '../strings';
import { SITE_KINDS, type Site } from '../types';

interface Values {
  kind: string;
  name: string;
  uai: string;
  address: string;
  longitude: string;
  latitude: string;
  memberId: string;
  notes: string;
}

/** API field → the label of the input that shows its error. */
const LABELS: Record<string, string> = {
  '/body/kind': T.form.kind,
  '/body/name': T.form.name,
  '/body/uai': T.form.uai,
  '/body/address': T.form.address,
  '/body/longitude': T.form.longitude,
  '/body/latitude': T.form.latitude,
  '/body/memberId': T.form.member,
  '/body/notes': T.form.notes,
};
const fieldId = (field: string) => `site-${field.replace(/^\/body\//, '')}`;

/** Decimal comma or point; anything else goes to the API as typed, which names the problem. */
function coordinate(text: string): number | string | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  const n = Number(trimmed.replace(',', '.'));
  return Number.isFinite(n) ? n : trimmed;
}

function PickPoint({ onPick }: { onPick: (lat: number, lng: number) => void }) {
  useMapEvents({ click: (e) => onPick(e.latlng.lat, e.latlng.lng) });
  return null;
}

function MemberSelect({ value, onChange, error }: { value: string; onChange: (id: string) => void; error?: string | undefined }) {
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 250);
  const { data } = useQuery({
    queryKey: ['members', 'select', debounced],
    queryFn: () => api<Page<{ id: string; name: string }>>('/api/members', { query: { q: debounced, pageSize: 30, sort: 'name' } }),
  });
  const { data: current } = useQuery({ queryKey: ['members', 'one', value], queryFn: () => api<{ id: string; name: string }>(`/api/members/${value}`), enabled: !!value });
  const options = (data?.items ?? []).map((m) => ({ value: m.id, label: m.name }));
  if (current && !options.some((o) => o.value === current.id)) options.unshift({ value: current.id, label: current.name });
  return (
    <Select id={fieldId('/body/memberId')} label={T.form.member} description={T.form.memberHint} searchable data={options} value={value} onChange={(v) => v && onChange(v)} onSearchChange={setSearch} filter={({ options: all }) => all} allowDeselect={false} error={error} />
  );
}

function SiteForm({ site }: { site?: Site }) {
  const session = useCurrentSession();
  const { memberFilter } = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [values, setValues] = useState<Values>({
    kind: site?.kind ?? 'school',
    name: site?.name ?? '',
    uai: site?.uai ?? '',
    address: site?.address ?? '',
    longitude: site ? String(site.longitude) : '',
    latitude: site ? String(site.latitude) : '',
    memberId: site?.memberId ?? memberFilter?.id ?? session.user.memberId,
    notes: site?.notes ?? '',
  });
  const [failure, setFailure] = useState<{ message: string; details: FieldError[] } | null>(null);
  const set = (key: keyof Values) => (value: string) => setValues((v) => ({ ...v, [key]: value }));
  const errorOf = (field: keyof Values) => failure?.details.filter((d) => d.field === `/body/${field}`).map((d) => d.message).join(' ; ') || undefined;

  const save = useMutation({
    mutationFn: () => {
      const body: Record<string, unknown> = {
        kind: values.kind,
        name: values.name,
        address: values.address,
        longitude: coordinate(values.longitude),
        latitude: coordinate(values.latitude),
        notes: values.notes,
        uai: values.uai.trim() ? values.uai.trim().toUpperCase() : site?.uai ? null : undefined,
        memberId: values.memberId,
      };
      if (!site) return api<Site>('/api/sites', { method: 'POST', body });
      // Only what changed, so that an edit does not trip over checks of fields it did not touch.
      const changes = Object.fromEntries(Object.entries(body).filter(([key, value]) => value !== undefined && value !== site[key as keyof Site]));
      return Object.keys(changes).length ? api<Site>(`/api/sites/${site.id}`, { method: 'PATCH', body: changes }) : Promise.resolve(site);
    },
    onSuccess: async (saved) => {
      queryClient.setQueryData(['site', saved.id], saved);
      await queryClient.invalidateQueries({ queryKey: ['sites'] });
      void navigate(`/sites/${saved.id}`);
    },
    onError: (error) => setFailure(error instanceof ApiError ? { message: error.message, details: error.details } : { message: String(error), details: [] }),
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setFailure(null);
    save.mutate();
  };
  const lat = Number(values.latitude.replace(',', '.'));
  const lng = Number(values.longitude.replace(',', '.'));
  const hasPoint = values.latitude.trim() !== '' && values.longitude.trim() !== '' && Number.isFinite(lat) && Number.isFinite(lng);

  return (
    <Grid gap="xl">
      <Grid.Col span={{ base: 12, md: 6 }}>
        {failure && <ErrorSummary title={T.form.errorsTitle} message={failure.message} details={failure.details} labels={LABELS} fieldId={fieldId} />}
        <form onSubmit={submit} noValidate aria-describedby="site-form-intro">
          <Stack gap="md">
            <Text id="site-form-intro" size="sm">{T.form.intro}</Text>
            <Select id={fieldId('/body/kind')} label={T.form.kind} required data={SITE_KINDS.map((k) => ({ value: k, label: T.kinds[k]! }))} value={values.kind} onChange={(v) => v && set('kind')(v)} allowDeselect={false} error={errorOf('kind')} />
            <TextInput id={fieldId('/body/name')} label={T.form.name} required value={values.name} onChange={(e) => set('name')(e.currentTarget.value)} error={errorOf('name')} maxLength={160} />
            <TextInput id={fieldId('/body/uai')} label={T.form.uai} description={T.form.uaiHint} required={values.kind === 'school'} value={values.uai} onChange={(e) => set('uai')(e.currentTarget.value)} error={errorOf('uai')} maxLength={8} />
            <TextInput id={fieldId('/body/address')} label={T.form.address} required value={values.address} onChange={(e) => set('address')(e.currentTarget.value)} error={errorOf('address')} autoComplete="street-address" />
            <Group grow align="flex-start">
              <TextInput id={fieldId('/body/latitude')} label={T.form.latitude} required inputMode="decimal" value={values.latitude} onChange={(e) => set('latitude')(e.currentTarget.value)} error={errorOf('latitude')} />
              <TextInput id={fieldId('/body/longitude')} label={T.form.longitude} required inputMode="decimal" value={values.longitude} onChange={(e) => set('longitude')(e.currentTarget.value)} error={errorOf('longitude')} />
            </Group>
            <Text size="sm" mt={-8}>{T.form.coordinatesHint}</Text>
            {isSmoStaff(session) && <MemberSelect value={values.memberId} onChange={set('memberId')} error={errorOf('memberId')} />}
            <Textarea id={fieldId('/body/notes')} label={T.form.notes} value={values.notes} onChange={(e) => set('notes')(e.currentTarget.value)} error={errorOf('notes')} autosize minRows={2} maxLength={2000} />
            <Group>
              <Button type="submit" loading={save.isPending}>{site ? T.form.submitEdit : T.form.submitCreate}</Button>
              <Button variant="default" component={Link} to={site ? `/sites/${site.id}` : '/sites'}>{T.form.cancel}</Button>
            </Group>
          </Stack>
        </form>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 6 }}>
        <BaseMap label={T.form.pickOnMap} height={420} {...(site && { center: [site.latitude, site.longitude] as [number, number], zoom: 15 })}>
          <CommuneOutlines />
          <PickPoint onPick={(la, ln) => setValues((v) => ({ ...v, latitude: la.toFixed(6), longitude: ln.toFixed(6) }))} />
          {hasPoint && <CircleMarker center={[lat, lng]} radius={9} pathOptions={{ color: '#0b4a8b', fillColor: '#1c7ed6', fillOpacity: 0.8 }} />}
        </BaseMap>
      </Grid.Col>
    </Grid>
  );
}

export function SiteCreatePage() {
  return (
    <>
      <PageHeader title={T.form.createTitle} />
      <SiteForm />
    </>
  );
}

export function SiteEditPage() {
  const { id = '' } = useParams();
  const { data: site, error, refetch } = useQuery({ queryKey: ['site', id], queryFn: () => api<Site>(`/api/sites/${id}`), staleTime: Infinity });
  return (
    <>
      <PageHeader title={site ? T.form.editTitle(site.name) : T.site.edit} />
      {error && <LoadError error={error} onRetry={() => void refetch()} />}
      {!site && !error && <Loading />}
      {site && <SiteForm key={site.id} site={site} />}
    </>
  );
}
