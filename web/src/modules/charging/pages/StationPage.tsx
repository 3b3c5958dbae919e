import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Anchor, Button, Code, Grid, Group, NativeSelect, SimpleGrid, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { api, errorMessage } from '../../../app/api';
import { LoadError, Loading, PageHeader, formatDate, formatDateTime } from '../../../app/components';
import { usePermission } from '../../../app/session';
import type { Page } from '../../../app/types';
import { pointState, stateColour } from '../format';
import { T } from '../strings';
import type { Command, Session, Station } from '../types';

/** Example parameters for each command, as a starting point the user edits. */
const EXAMPLES: Record<string, object> = {
  Reset: { type: 'Soft' },
  RemoteStartTransaction: { connectorId: 1, idTag: 'DEMO-TAG-001' },
  RemoteStopTransaction: { transactionId: 0 },
  UnlockConnector: { connectorId: 1 },
  ChangeAvailability: { connectorId: 1, type: 'Inoperative' },
  GetConfiguration: {},
  ChangeConfiguration: { key: 'HeartbeatInterval', value: '300' },
  ClearCache: {},
  TriggerMessage: { requestedMessage: 'StatusNotification', connectorId: 1 },
  UpdateFirmware: { location: 'https://firmware.example/borne-1.1.bin', retrieveDate: '2026-12-01T02:00:00Z' },
  GetDiagnostics: { location: 'ftp://diagnostics.example/upload' },
  SendLocalList: { listVersion: 1, updateType: 'Full', localAuthorizationList: [] },
  GetLocalListVersion: {},
  ReserveNow: { connectorId: 1, expiryDate: '2026-12-01T12:00:00Z', idTag: 'DEMO-TAG-001', reservationId: 1 },
  CancelReservation: { reservationId: 1 },
  SetChargingProfile: {
    connectorId: 0,
    csChargingProfiles: { chargingProfileId: 1, stackLevel: 0, chargingProfilePurpose: 'ChargePointMaxProfile', chargingProfileKind: 'Absolute', chargingSchedule: { chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 11000 }] } },
  },
  ClearChargingProfile: {},
  GetCompositeSchedule: { connectorId: 1, duration: 3600 },
};

function CommandPanel({ station }: { station: Station }) {
  const queryClient = useQueryClient();
  const canSend = usePermission('charging_command', 'create');
  const [action, setAction] = useState('GetConfiguration');
  const [payload, setPayload] = useState(JSON.stringify(EXAMPLES.GetConfiguration));
  const [sending, setSending] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const history = useQuery({
    queryKey: ['charging', 'commands', station.id],
    queryFn: () => api<Page<Command>>(`/api/charging/stations/${station.id}/commands`, { query: { pageSize: 20 } }),
  });

  async function send(event: FormEvent) {
    event.preventDefault();
    let body: unknown;
    try {
      body = JSON.parse(payload || '{}');
    } catch {
      setOutcome({ ok: false, text: T.commands.badJson });
      return;
    }
    setSending(true);
    setOutcome(null);
    try {
      const command = await api<Command>(`/api/charging/stations/${station.id}/commands`, { method: 'POST', body: { action, payload: body } });
      setOutcome({ ok: command.status === 'answered', text: `${T.commands.result(action, T.commands.status[command.status] ?? command.status)} — ${JSON.stringify(command.response)}` });
    } catch (error) {
      setOutcome({ ok: false, text: errorMessage(error) });
    } finally {
      setSending(false);
      await queryClient.invalidateQueries({ queryKey: ['charging'] });
    }
  }

  return (
    <section aria-labelledby="commands-title">
      <Title order={2} fz="h4" id="commands-title" mb="xs">
        {T.commands.title}
      </Title>
      {canSend && (
        <Stack gap="sm" component="form" onSubmit={(e) => void send(e)} maw={640} mb="md">
          <NativeSelect
            label={T.commands.action}
            data={Object.keys(EXAMPLES)}
            value={action}
            onChange={(e) => {
              setAction(e.currentTarget.value);
              setPayload(JSON.stringify(EXAMPLES[e.currentTarget.value]));
            }}
          />
          <Textarea label={T.commands.payload} autosize minRows={2} value={payload} onChange={(e) => setPayload(e.currentTarget.value)} styles={{ input: { fontFamily: 'monospace' } }} />
          <Group>
            <Button type="submit" loading={sending}>
              {sending ? T.commands.sending : T.commands.send}
            </Button>
          </Group>
          <div aria-live="polite" data-testid="command-outcome">
            {outcome && (
              <Alert color={outcome.ok ? 'green' : 'red'} role={outcome.ok ? 'status' : 'alert'}>
                {outcome.text}
              </Alert>
            )}
          </div>
        </Stack>
      )}
      <Title order={3} fz="h5" mb="xs">
        {T.commands.history}
      </Title>
      {history.data && (
        <Table striped data-testid="commands-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{T.commands.columns.at}</Table.Th>
              <Table.Th>{T.commands.columns.action}</Table.Th>
              <Table.Th>{T.commands.columns.by}</Table.Th>
              <Table.Th>{T.commands.columns.status}</Table.Th>
              <Table.Th>{T.commands.columns.response}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {history.data.items.map((c) => (
              <Table.Tr key={c.id}>
                <Table.Td>{formatDateTime(c.requestedAt)}</Table.Td>
                <Table.Td>{c.action}</Table.Td>
                <Table.Td>{c.requestedBy}</Table.Td>
                <Table.Td>{T.commands.status[c.status] ?? c.status}</Table.Td>
                <Table.Td>
                  <Code style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>{c.error ?? JSON.stringify(c.response)}</Code>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </section>
  );
}

export function StationPage() {
  const { id } = useParams();
  const canCommands = usePermission('charging_command');
  const canSessions = usePermission('charging_session');
  const station = useQuery({ queryKey: ['charging', 'station', id], queryFn: () => api<Station>(`/api/charging/stations/${id}`) });
  const sessions = useQuery({
    queryKey: ['charging', 'sessions', 'station', id],
    queryFn: () => api<Page<Session>>('/api/charging/sessions', { query: { stationId: id, pageSize: 10 } }),
    enabled: canSessions,
  });
  if (station.error) return <LoadError error={station.error} onRetry={() => void station.refetch()} />;
  if (!station.data) return <Loading />;
  const s = station.data;
  const f = T.station.fields;
  const facts: [string, string][] = [
    [f.code, s.code],
    [f.roaming, s.idStationItinerance],
    [f.identity, `${s.ocppIdentity} (${s.online ? T.online : T.offline})`],
    [f.address, s.address],
    [f.hours, s.openingHours],
    [f.access, s.accessCondition],
    [f.pmr, s.pmr],
    [f.commissioning, formatDate(s.commissioningDate)],
    [f.grid, s.gridConnection ?? '—'],
    [f.tariff, T.station.tariff(s.tariff.perKwh, s.tariff.perMinute, s.tariff.fixedFee)],
    [f.model, [s.vendor, s.model].filter(Boolean).join(' ') || '—'],
    [f.firmware, [s.firmwareVersion, s.firmwareStatus].filter(Boolean).join(' – ') || '—'],
    [f.lastBoot, formatDateTime(s.lastBootAt)],
  ];
  return (
    <>
      <PageHeader title={s.name}>
        <Anchor component={Link} to="/recharge">
          {T.station.back}
        </Anchor>
      </PageHeader>
      <Grid gap="xl">
        <Grid.Col span={{ base: 12, lg: 6 }}>
          <Stack gap="lg">
            <section aria-labelledby="station-details">
              <Title order={2} fz="h4" id="station-details" mb="xs">
                {T.station.details}
              </Title>
              <SimpleGrid cols={2} spacing={4} component="dl" style={{ margin: 0 }}>
                {facts.map(([label, value]) => [
                  <Text key={`${label}-t`} component="dt" fw={600}>
                    {label}
                  </Text>,
                  <Text key={`${label}-d`} component="dd" style={{ margin: 0 }}>
                    {value}
                  </Text>,
                ])}
              </SimpleGrid>
            </section>
            <section aria-labelledby="station-points">
              <Title order={2} fz="h4" id="station-points" mb="xs">
                {T.station.points}
              </Title>
              <Table striped>
                <Table.Thead>
                  <Table.Tr>
                    {Object.values(T.station.pointColumns).map((c) => (
                      <Table.Th key={c}>{c}</Table.Th>
                    ))}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {s.chargePoints.map((p) => (
                    <Table.Tr key={p.connectorId}>
                      <Table.Td>{p.connectorId}</Table.Td>
                      <Table.Td>{p.idPdcItinerance}</Table.Td>
                      <Table.Td>{p.maxPowerKw} kW</Table.Td>
                      <Table.Td>{p.sockets.map((k) => T.station.sockets[k] ?? k).join(', ')}</Table.Td>
                      <Table.Td style={{ color: stateColour(s, p), fontWeight: 600 }}>{pointState(s, p)}</Table.Td>
                      <Table.Td>{formatDateTime(p.statusAt)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </section>
            <section aria-labelledby="station-configuration">
              <Title order={2} fz="h4" id="station-configuration" mb="xs">
                {T.station.configuration}
              </Title>
              {s.configuration?.configurationKey?.length ? (
                <Table striped>
                  <Table.Tbody>
                    {s.configuration.configurationKey.map((k) => (
                      <Table.Tr key={k.key}>
                        <Table.Td>{k.key}</Table.Td>
                        <Table.Td>{k.value ?? '—'}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              ) : (
                <Text>{T.station.noConfiguration}</Text>
              )}
            </section>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 6 }}>
          <Stack gap="lg">
            {canCommands && <CommandPanel station={s} />}
            {canSessions && sessions.data && (
              <section aria-labelledby="station-sessions">
                <Title order={2} fz="h4" id="station-sessions" mb="xs">
                  {T.station.sessions}
                </Title>
                <Table striped>
                  <Table.Tbody>
                    {sessions.data.items.map((x) => (
                      <Table.Tr key={x.id}>
                        <Table.Td>{formatDateTime(x.startedAt)}</Table.Td>
                        <Table.Td>{x.idTag}</Table.Td>
                        <Table.Td>{x.active ? T.sessions.running : T.sessions.kwh(x.energyKwh)}</Table.Td>
                        <Table.Td>{T.sessions.euros(x.cost)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </section>
            )}
          </Stack>
        </Grid.Col>
      </Grid>
    </>
  );
}
