/** "Standorte" of the commune (administrators): list, create, rename. */
import PlaceIcon from '@mui/icons-material/Place';
import { Create, Datagrid, Edit, List, required, SimpleForm, TextField, TextInput } from 'react-admin';
import { SaveOnly } from './index';

function SiteList() {
  return (
    <List title="Standorte" sort={{ field: 'name', order: 'ASC' }} exporter={false}>
      <Datagrid rowClick="edit" bulkActionButtons={false}>
        <TextField source="name" label="Name" />
        <TextField source="id" label="Kennung" />
      </Datagrid>
    </List>
  );
}

function SiteCreate() {
  return (
    <Create title="Neuer Standort" redirect="list">
      <SimpleForm>
        <TextInput source="name" label="Name" validate={required('Bitte den Namen angeben.')} />
        <TextInput source="id" label="Kennung" validate={required('Bitte eine Kennung angeben.')} helperText="Kleinbuchstaben, Ziffern und Bindestrich, z. B. duisburg-west; sie steht in den Aufgabengruppen und bleibt fest." />
      </SimpleForm>
    </Create>
  );
}

function SiteEdit() {
  return (
    <Edit title="Standort bearbeiten" mutationMode="pessimistic">
      <SimpleForm toolbar={<SaveOnly />}>
        <TextInput source="name" label="Name" validate={required('Bitte den Namen angeben.')} />
      </SimpleForm>
    </Edit>
  );
}

export const sites = { name: 'sites', list: SiteList, create: SiteCreate, edit: SiteEdit, icon: PlaceIcon, options: { label: 'Standorte' } };
