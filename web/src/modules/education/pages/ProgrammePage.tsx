import { useQuery } from '@tanstack/react-query';
import { Stack, Table, Text, Title } from '@mantine/core';
import { api, ApiError } from '../../../app/api';
import { LoadError, Loading, PageHeader, Tile, TileGroup, formatDate, formatNumber } from '../../../app/components';
import { isSmoStaff, useCurrentSession, useMemberScope } from '../../../app/session';
import { T } from '../strings';
import type { Programme } from '../types';

function Body({ memberId }: { memberId: string }) {
  const { data, error, refetch } = useQuery({ queryKey: ['education', 'programme', memberId], queryFn: () => api<Programme>(`/api/education/programmes/${memberId}`), retry: false });
  if (error instanceof ApiError && error.status === 404) return <Text>{T.programme.none}</Text>;
  if (error) return <LoadError error={error} onRetry={() => void refetch()} />;
  if (!data) return <Loading />;
  const i = data.indicators;
  return (
    <Stack gap="xl">
      <Text>
        <strong>{data.name}</strong> — {T.programme.rule(data.leaverRule)}
      </Text>
      <TileGroup title={T.programme.indicators}>
        <Tile label={T.programme.devicesPer100} value={i.devicesPer100Pupils === null ? '—' : i.devicesPer100Pupils.toLocaleString('fr-FR')} />
        <Tile label={T.programme.classesEquipped} value={T.share(i.shareClassesEquipped)} />
        <Tile label={T.programme.spend} value={T.share(i.spendAgainstPlan)} hint={T.programme.spendHint(T.euros(i.spentTotal), T.euros(i.budgetTotal))} />
        <Tile label={T.programme.age} value={T.programme.ageValue(i.averageFleetAgeYears)} />
      </TileGroup>
      <section aria-labelledby="programme-targets">
        <Title order={2} fz="h4" id="programme-targets" mb="xs">
          {T.programme.targets}
        </Title>
        <Table striped maw={720}>
          <Table.Thead>
            <Table.Tr>
              {Object.values(T.programme.targetColumns).map((label) => (
                <Table.Th key={label}>{label}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(['devices', 'teachersEquipped', 'projectors', 'licences'] as const).map((key) => (
              <Table.Tr key={key}>
                <Table.Td>{T.programme.targetNames[key]}</Table.Td>
                <Table.Td>{formatNumber(data.targets[key])}</Table.Td>
                <Table.Td>{formatNumber(data.actuals[key])}</Table.Td>
                <Table.Td>{T.share(data.targets[key] ? data.actuals[key] / data.targets[key] : null)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </section>
      <section aria-labelledby="programme-plan">
        <Title order={2} fz="h4" id="programme-plan" mb="xs">
          {T.programme.plan}
        </Title>
        <Table striped maw={720} data-testid="programme-plan">
          <Table.Thead>
            <Table.Tr>
              {Object.values(T.programme.planColumns).map((label) => (
                <Table.Th key={label}>{label}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {data.plan.map((y) => (
              <Table.Tr key={y.year}>
                <Table.Td>{y.year}</Table.Td>
                <Table.Td>{T.euros(y.budget)}</Table.Td>
                <Table.Td>{T.euros(y.spent)}</Table.Td>
                <Table.Td>{T.share(y.budget ? y.spent / y.budget : null)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </section>
      <section aria-labelledby="programme-waves">
        <Title order={2} fz="h4" id="programme-waves" mb="xs">
          {T.programme.waves}
        </Title>
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              {Object.values(T.programme.waveColumns).map((label) => (
                <Table.Th key={label}>{label}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {data.waves.map((w) => (
              <Table.Tr key={w.schoolId}>
                <Table.Td>{w.wave}</Table.Td>
                <Table.Td>
                  {w.schoolName} ({w.uai})
                </Table.Td>
                <Table.Td>{formatDate(w.plannedDate)}</Table.Td>
                <Table.Td>{formatNumber(w.pupils)}</Table.Td>
                <Table.Td>{formatNumber(w.devices)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </section>
    </Stack>
  );
}

export function ProgrammePage() {
  const session = useCurrentSession();
  const scope = useMemberScope();
  const memberId = scope ?? (isSmoStaff(session) ? undefined : session.user.memberId);
  return (
    <>
      <PageHeader title={T.programme.title} />
      {memberId ? <Body memberId={memberId} /> : <Text>{T.programme.pickMember}</Text>}
    </>
  );
}
