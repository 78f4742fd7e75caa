import AssignmentIcon from '@mui/icons-material/Assignment';
import { TaskList } from './TaskList';
import { lazyComponent } from '../../lazy';

// The task view brings form-js (Camunda forms): loaded when a task is opened, not with the inbox.
const TaskShow = lazyComponent(() => import('./TaskShow'), 'TaskShow');

export const tasks = { name: 'tasks', list: TaskList, show: TaskShow, icon: AssignmentIcon };
