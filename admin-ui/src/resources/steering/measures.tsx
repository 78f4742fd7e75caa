/**
 * "Maßnahmen" (coordination): every measure of the commune with its owner organisation, target
 * date and state; overdue ones are marked (and can be listed alone). A row opens its theme.
 */
import { BooleanInput, Datagrid, FunctionField, List, SelectInput, SimpleList } from 'react-admin';
import { Box, Chip, useMediaQuery, type Theme } from '@mui/material';
import PlaylistAddCheckIcon from '@mui/icons-material/PlaylistAddCheck';
import { MEASURE_STATE_DE } from '../../../../processes/kim-steuerung/contract';
import { dateDe, enc, RES, type MeasureRow } from './api';

const STATE_CHOICES = Object.entries(MEASURE_STATE_DE).map(([id, name]) => ({ id, name }));
const themeLink = (r: Record<string, unknown>) => `/${RES.themes}/${enc(String(r.themeId))}/show`;

function MeasureList() {
  const small = useMediaQuery((t: Theme) => t.breakpoints.down('md'));
  return (
    <List
      title="Maßnahmen"
      sort={{ field: 'targetDate', order: 'ASC' }}
      filters={[<SelectInput key="state" source="state" label="Stand" choices={STATE_CHOICES} alwaysOn emptyText="alle" />, <BooleanInput key="overdue" source="overdue" label="nur überfällige" alwaysOn />]}
      exporter={false}
      empty={false}
    >
      {small ? (
        <SimpleList<MeasureRow>
          linkType={(r) => themeLink(r)}
          primaryText={(r) => r.title}
          secondaryText={(r) => `${r.ownerOrganisation} · Ziel ${dateDe(r.targetDate)}${r.overdue ? ' · überfällig' : ''}`}
          tertiaryText={(r) => r.stateLabel}
        />
      ) : (
        <Datagrid rowClick={(_id, _resource, r) => themeLink(r)} bulkActionButtons={false} empty={<Box sx={{ p: 2 }}>Keine Maßnahmen gefunden.</Box>}>
          <FunctionField<MeasureRow> source="title" label="Maßnahme" render={(r) => r.title} />
          <FunctionField<MeasureRow> label="Thema" sortable={false} render={(r) => r.themeTitle} />
          <FunctionField<MeasureRow> source="ownerOrganisation" label="Verantwortlich" render={(r) => r.ownerOrganisation} />
          <FunctionField<MeasureRow> source="targetDate" label="Zieldatum" render={(r) => dateDe(r.targetDate)} />
          <FunctionField<MeasureRow> source="state" label="Stand" render={(r) => r.stateLabel} />
          <FunctionField<MeasureRow> label="Frist" sortable={false} render={(r) => (r.overdue ? <Chip size="small" color="error" label="überfällig" /> : r.state === 'umgesetzt' ? 'erledigt' : 'im Plan')} />
        </Datagrid>
      )}
    </List>
  );
}

export const steeringMeasures = { name: RES.measures, list: MeasureList, icon: PlaylistAddCheckIcon, options: { label: 'Maßnahmen' } };
