/** "Partnerorganisationen" of the commune (administrators): the offers referrals and conferences go to. */
import HandshakeIcon from '@mui/icons-material/Handshake';
import { BooleanInput, Create, Datagrid, Edit, FunctionField, List, required, SelectInput, SimpleForm, TextField, TextInput } from 'react-admin';
import { ORGANISATION_TYPE_DE } from '../../../../server/referrals/organisation-types';
import { SaveOnly } from './index';

const TYPE_CHOICES = Object.entries(ORGANISATION_TYPE_DE).map(([id, name]) => ({ id, name }));

function PartnerList() {
  return (
    <List title="Partnerorganisationen" sort={{ field: 'name', order: 'ASC' }} filters={[<TextInput key="q" source="q" label="Suche" alwaysOn />]} exporter={false}>
      <Datagrid rowClick="edit" bulkActionButtons={false}>
        <TextField source="name" label="Name" />
        <FunctionField<{ type: string }> label="Art" sortBy="type" render={(o) => ORGANISATION_TYPE_DE[o.type] ?? '—'} />
        <TextField source="email" label="E-Mail" emptyText="—" sortable={false} />
        <TextField source="contactPerson" label="Ansprechperson" emptyText="—" sortable={false} />
        <FunctionField<{ active: boolean }> label="Stand" sortable={false} render={(o) => (o.active ? 'aktiv' : 'inaktiv')} />
      </Datagrid>
    </List>
  );
}

function PartnerForm() {
  // Partners are set inactive rather than deleted: referrals and conferences keep naming them.
  return (
    <SimpleForm toolbar={<SaveOnly />}>
      <TextInput source="name" label="Name" validate={required('Bitte den Namen angeben.')} />
      <SelectInput source="type" label="Art" choices={TYPE_CHOICES} validate={required('Bitte die Art wählen.')} />
      <TextInput source="email" label="E-Mail" type="email" helperText="An diese Adresse gehen Vermittlungen und Einladungen." />
      <TextInput source="phone" label="Telefon" />
      <TextInput source="address" label="Anschrift" multiline />
      <TextInput source="contactPerson" label="Ansprechperson" />
      <BooleanInput source="active" label="aktiv (wählbar für Vermittlungen)" defaultValue />
    </SimpleForm>
  );
}

function PartnerCreate() {
  return (
    <Create title="Neue Partnerorganisation" redirect="list">
      <PartnerForm />
    </Create>
  );
}

function PartnerEdit() {
  return (
    <Edit title="Partnerorganisation bearbeiten" mutationMode="pessimistic">
      <PartnerForm />
    </Edit>
  );
}

export const partners = { name: 'organisations', list: PartnerList, create: PartnerCreate, edit: PartnerEdit, icon: HandshakeIcon, options: { label: 'Partnerorganisationen' } };
